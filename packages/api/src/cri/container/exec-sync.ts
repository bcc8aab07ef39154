import type { CriDeps } from '../deps.js';
import { invalid } from '../errors.js';
import { findCri } from '../lookup.js';
import { GrpcStatusError } from '../errors.js';

/** The CRI caps each stream of ExecSync at 16 MiB and drops the rest (CVE-2022-1708). */
const MAX_OUTPUT = 16 * 1024 * 1024;

/** ExecSync: runs CMD in the container, collects stdout and stderr, and answers its exit code. */
export async function execSync(
  deps: CriDeps,
  req: { containerId?: string; cmd?: string[]; timeout?: string },
): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
  const record = findCri(deps.containers, req.containerId ?? '', 'container');
  if (!req.cmd?.length) throw invalid('ExecSync needs a command');
  const exec = deps.containers.createExec(record.id, {
    cmd: req.cmd,
    env: [],
    tty: false,
    attachStdin: false,
    attachStdout: true,
    attachStderr: true,
    privileged: false,
  });
  const timeoutS = Number(req.timeout ?? 0);
  let timedOut = false;
  const timer =
    timeoutS > 0
      ? setTimeout(() => {
          timedOut = true;
          deps.containers.killExec(exec.id);
        }, timeoutS * 1000)
      : undefined;
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const size = { stdout: 0, stderr: 0 };
  try {
    const stream = await deps.containers.startExec(exec.id, { detach: false });
    for await (const entry of stream) {
      if (size[entry.stream] + entry.data.length > MAX_OUTPUT) continue;
      size[entry.stream] += entry.data.length;
      out[entry.stream].push(entry.data);
    }
    if (timedOut)
      throw new GrpcStatusError(4, `command ${JSON.stringify(req.cmd)} timed out after ${timeoutS}s`);
    const exitCode = await exitCodeOf(deps, exec.id);
    return { stdout: Buffer.concat(out.stdout), stderr: Buffer.concat(out.stderr), exitCode };
  } finally {
    if (timer) clearTimeout(timer);
    deps.containers.forgetExec(exec.id);
  }
}

/** The exec's exit code: the stream ends when the process does, the code is recorded just after. */
async function exitCodeOf(deps: CriDeps, id: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const code = deps.containers.inspectExec(id).exitCode;
    if (code !== undefined) return code;
    await new Promise((r) => setTimeout(r, 10));
  }
  return -1;
}
