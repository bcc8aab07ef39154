import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsFile, resolvConf } from './etc-files.js';

test('hosts file has localhost and the extra hosts', () => {
  const text = hostsFile(['db:10.0.0.5']);
  assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(text, /^10\.0\.0\.5\tdb$/m);
});

test('resolv.conf drops loopback servers and honours --dns options', () => {
  const host = 'search example.org\nnameserver 127.0.0.53\nnameserver 9.9.9.9\noptions edns0\n';
  assert.equal(
    resolvConf(host, { dns: [], dnsSearch: [], dnsOptions: [] }),
    'search example.org\nnameserver 9.9.9.9\noptions edns0\n',
  );
  assert.equal(
    resolvConf(host, { dns: ['1.1.1.1'], dnsSearch: ['a.b'], dnsOptions: ['ndots:2'] }),
    'search a.b\nnameserver 1.1.1.1\noptions ndots:2\n',
  );
});
