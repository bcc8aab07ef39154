import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseGetfattr } from './xattrs.js';

it('reads getfattr’s dump by path relative to the walked root, octal escapes undone', () => {
  const base = '/proc/1/fd/5/.';
  const text = [
    `# file: ${base}`,
    'user.root=0x31',
    '',
    `# file: ${base}/a\\040b`,
    'user.x=0x68656c6c6f',
    'user.empty=0x',
    '',
    `# file: ${base}/d/inner`,
    'trusted.t=0x00ff',
    '',
    '# file: /elsewhere/x',
    'user.no=0x31',
    '',
  ].join('\n');
  assert.deepEqual(Object.fromEntries(parseGetfattr(text, base)), {
    '': { 'user.root': '31' },
    'a b': { 'user.x': '68656c6c6f', 'user.empty': '' },
    'd/inner': { 'trusted.t': '00ff' },
  });
});
