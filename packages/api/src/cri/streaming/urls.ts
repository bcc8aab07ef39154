import type { CriDeps } from '../deps.js';
import { invalid } from '../errors.js';
import { findCri } from '../lookup.js';
import { attachSession, execSession } from './sessions.js';
import { portForwardSession } from './port-forward.js';

interface StreamReq {
  containerId?: string;
  cmd?: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

function checked(deps: CriDeps, r: StreamReq) {
  const record = findCri(deps.containers, r.containerId ?? '', 'container');
  if (!r.stdin && !r.stdout && !r.stderr) throw invalid('one of stdin, stdout or stderr must be set');
  // With a terminal there is one output stream (kubelet's rule).
  const stderr = r.tty ? false : (r.stderr ?? false);
  return {
    containerId: record.id,
    tty: r.tty ?? false,
    stdin: r.stdin ?? false,
    stdout: r.stdout ?? false,
    stderr,
  };
}

/** Exec: a one-time URL of the streaming server; the command runs when the client connects. */
export function execUrl(deps: CriDeps, r: StreamReq): { url: string } {
  if (!r.cmd?.length) throw invalid('Exec needs a command');
  return { url: deps.streaming.register(execSession(deps.containers, { ...checked(deps, r), cmd: r.cmd })) };
}

export function attachUrl(deps: CriDeps, r: StreamReq): { url: string } {
  return { url: deps.streaming.register(attachSession(deps.containers, checked(deps, r))) };
}

/** PortForward: a one-time URL; each port is a connection to the pod's 127.0.0.1 made when the client comes. */
export function portForwardUrl(
  deps: CriDeps,
  r: { podSandboxId?: string; port?: number[] },
): { url: string } {
  const sandbox = findCri(deps.containers, r.podSandboxId ?? '', 'sandbox');
  const ports = r.port ?? [];
  for (const p of ports) if (!Number.isInteger(p) || p < 1 || p > 65535) throw invalid(`bad port ${p}`);
  return { url: deps.streaming.register(portForwardSession(deps.containers, sandbox.id, ports)) };
}
