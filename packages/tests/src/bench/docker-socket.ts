/**
 * Where the benchmark's docker engine listens. The bench starts its own dockerd (peers.ts) with its own
 * data root and socket, so a docker already on this machine is neither used nor disturbed.
 */
let socket: string | undefined;
let daemonPid: number | undefined;

export function setBenchDockerSocket(path: string | undefined, pid?: number): void {
  socket = path;
  daemonPid = path === undefined ? undefined : pid;
}

/** The pid of the bench's dockerd, for CPU measurements. */
export function benchDockerPid(): number | undefined {
  return daemonPid;
}

/** The socket of the bench's dockerd, or undefined when none could be started. */
export function benchDockerSocket(): string | undefined {
  return socket;
}
