import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signBody } from './sign.js';

test('the signature is sha256= and the HMAC-SHA256 hex of the exact body', () => {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  assert.equal(
    signBody('what do ya want for nothing?', 'Jefe'),
    'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  );
  assert.notEqual(
    signBody('{"a":1}', 'k'),
    signBody('{"a": 1}', 'k'),
    'a byte changed changes the signature',
  );
  assert.equal(signBody(Buffer.from('x'), 'k'), signBody('x', 'k'));
});
