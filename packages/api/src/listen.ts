import { chmod, chown, lstat, mkdir, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { errnoCode, PolisError } from '@polis/core';

/** True when something accepts connections on the socket (a live daemon), false for a stale file. */
function answers(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const done = (live: boolean): void => {
      socket.destroy();
      resolve(live);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function clearStaleSocket(socketPath: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(socketPath)).isSocket();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) {
    throw new PolisError(
      'daemon.socket_in_use',
      `${socketPath} exists and is not a socket; refusing to replace it`,
      {
        context: { socketPath },
      },
    );
  }
  if (await answers(socketPath)) {
    throw new PolisError(
      'daemon.socket_in_use',
      `another daemon is already listening on ${socketPath}; stop it or choose another socket with -H`,
      { context: { socketPath } },
    );
  }
  await unlink(socketPath);
}

/** Leaves a socket file 0660: owner and group may connect, nobody else ever could. */
const SOCKET_UMASK = 0o117;

/**
 * Listens on a unix socket (mode 0660, group `gid` when given), replacing a stale socket file but never a
 * live daemon's.
 */
export async function listenUnix(server: Server, socketPath: string, gid?: number): Promise<void> {
  await mkdir(dirname(socketPath), { recursive: true });
  await clearStaleSocket(socketPath);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    // The socket file is born with its final mode: a chmod after listen would leave it
    // world-connectable for a moment. `listen` binds synchronously, so the umask is back before any
    // other code of ours runs.
    const previous = process.umask(SOCKET_UMASK);
    try {
      server.listen(socketPath, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
  await chmod(socketPath, 0o660);
  // Born root:root 0660, the socket only widens to the group here: no moment is it more open than meant.
  if (gid !== undefined) await chown(socketPath, 0, gid);
}

/** Listens on ADDRESS:PORT; a port already taken is a clear error, not a stack. */
export async function listenTcp(server: Server, address: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES'
          ? new PolisError('daemon.socket_in_use', `cannot listen on ${address}:${port}: ${err.code}`, {
              context: { address, port },
            })
          : err,
      );
    };
    server.once('error', onError);
    server.listen(port, address, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** systemd passes sockets from fd 3 on (sd_listen_fds(3)). */
const SD_LISTEN_FDS_START = 3;

/**
 * The file descriptors systemd passed for socket activation: LISTEN_FDS of them from fd 3, when
 * LISTEN_PID names this process (a variable inherited from a parent that was activated names another).
 */
export function systemdFds(env: NodeJS.ProcessEnv, pid: number): number[] {
  if (env['LISTEN_PID'] !== String(pid)) return [];
  const n = Number(env['LISTEN_FDS']);
  if (!Number.isInteger(n) || n < 1) return [];
  return Array.from({ length: n }, (_, i) => SD_LISTEN_FDS_START + i);
}

/** Accepts connections on a socket that is already bound and listening (one systemd passed). */
export async function listenFd(server: Server, fd: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ fd }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
