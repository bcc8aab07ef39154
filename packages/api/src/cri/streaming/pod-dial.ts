import { proc, which } from '@polis/core';

type ChildProcess = proc.ChildProcess;

/** A TCP connection to 127.0.0.1:PORT inside a pod's network namespace, or why there is none. */
export type PodDial = { child: ChildProcess; failure?: undefined } | { child?: undefined; failure: string };

/**
 * Connects to 127.0.0.1:PORT in the network namespace of process PID, through `nsenter` and busybox
 * `nc` (Node cannot enter a netns), so a server listening on the pod's loopback only is reached too.
 * The child's stdin and stdout are the connection; its exit, the connection's end.
 */
export function dialInPod(pid: number | undefined, port: number): PodDial {
  const busybox = which('busybox');
  if (!pid) return { failure: 'the pod sandbox is not running' };
  if (!busybox) return { failure: 'busybox not found on PATH' };
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { failure: `bad port ${port}` };
  const child = proc.start(
    'nsenter',
    [`--net=/proc/${pid}/ns/net`, '--', busybox, 'nc', '127.0.0.1', String(port)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdin?.on('error', () => undefined);
  return { child };
}

/** Resolves with the dial's failure text (its stderr, or the exit code), or undefined when it ended well. */
export function dialEnded(child: ChildProcess, port: number): Promise<string | undefined> {
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (b: Buffer) => stderr.push(b));
  return new Promise((resolve) => {
    child.on('error', (err) => resolve(`port forward to ${port}: ${err.message}`));
    child.on('close', (code) => {
      if (code === 0 || code === null) resolve(undefined);
      else {
        const why = Buffer.concat(stderr).toString().trim() || `exit ${code}`;
        resolve(`failed to connect to localhost:${port} inside the pod: ${why}`);
      }
    });
  });
}
