import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemdFds } from './listen.js';

test('systemdFds: LISTEN_FDS sockets from fd 3, only when LISTEN_PID is this process', () => {
  assert.deepEqual(systemdFds({ LISTEN_PID: '42', LISTEN_FDS: '2' }, 42), [3, 4]);
  assert.deepEqual(systemdFds({ LISTEN_PID: '41', LISTEN_FDS: '2' }, 42), []);
  assert.deepEqual(systemdFds({ LISTEN_FDS: '1' }, 42), []);
  assert.deepEqual(systemdFds({ LISTEN_PID: '42', LISTEN_FDS: 'x' }, 42), []);
  assert.deepEqual(systemdFds({ LISTEN_PID: '42', LISTEN_FDS: '0' }, 42), []);
});

// listenFd on a socket really passed as fd 3 is proven end to end: e2e/cli-install.test.ts starts polisd
// with -H fd:// the way polisd.socket does (TestDaemon's socketActivated).
