import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proc } from '@polis/core';
import { bashScript } from './completion.js';

/** What bash offers for the words typed so far (the last one is being completed). */
async function complete(script: string, words: string[]): Promise<string[]> {
  const typed = words.map((w) => `'${w}'`).join(' ');
  const probe = `${script}\nCOMP_WORDS=(${typed}); COMP_CWORD=${words.length - 1}; _polis; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await proc.run('bash', ['-c', probe]);
  return stdout.split('\n').filter((l) => l !== '');
}

test('bash completion: commands, management subcommands, and each command flags and aliases', async () => {
  const script = await bashScript();
  assert.deepEqual(await complete(script, ['polis', 'ru']), ['run']);
  assert.ok((await complete(script, ['polis', 'container', 'l'])).includes('ls'));
  assert.deepEqual(await complete(script, ['polis', 'create', '--im']), ['--image']);
  assert.deepEqual(await complete(script, ['polis', 'run', '--po']), ['--port']);
  assert.ok((await complete(script, ['polis', '-H', 'unix:///x', 'vol'])).includes('volume'));
  assert.ok((await complete(script, ['polis', 'volume', 'backup', '--'])).includes('--help'));
});
