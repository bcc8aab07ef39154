/**
 * polisd's probe runner, a small process of its own (started by `ProbeHelper`): it reads one request per
 * line on stdin, runs the command with its stdout and stderr on pipes, keeps at most `maxOutput` bytes,
 * SIGKILLs it with everything below it at `timeoutMs`, and answers one line per request on stdout.
 *
 * Why a process: starting a process costs its parent a fork of the whole address space. polisd's is
 * large (its heap, SQLite, every module), this one's is small, and a health check every second on
 * each of many containers is one process each. polisd itself only writes and reads a line.
 */
import { createInterface } from 'node:readline';
import { proc } from '@polis/core';
import { killTree } from './descendants.js';

export interface HelperRequest {
  n: number;
  command: string;
  args: string[];
  timeoutMs: number;
  maxOutput: number;
}

export interface HelperReply {
  n: number;
  exitCode: number;
  timedOut: boolean;
  /** base64 */
  output: string;
}

function reply(r: HelperReply): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

function run(req: HelperRequest): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let timedOut = false;
  let done = false;
  const deadline: { timer?: NodeJS.Timeout } = {};
  const finish = (exitCode: number): void => {
    if (done) return;
    done = true;
    clearTimeout(deadline.timer);
    reply({ n: req.n, exitCode, timedOut, output: Buffer.concat(chunks, size).toString('base64') });
  };
  const keep = (b: Buffer): void => {
    if (size >= req.maxOutput) return;
    const part = b.length > req.maxOutput - size ? b.subarray(0, req.maxOutput - size) : b;
    chunks.push(part);
    size += part.length;
  };
  let child: proc.ChildProcess;
  try {
    child = proc.start(req.command, req.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    keep(Buffer.from(String((err as Error).message)));
    finish(-1);
    return;
  }
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  deadline.timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) killTree(child.pid);
  }, req.timeoutMs);
  child.once('error', (err) => {
    keep(Buffer.from(err.message));
    finish(-1);
  });
  child.once('close', (code) => finish(code ?? -1));
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  try {
    run(JSON.parse(line) as HelperRequest);
  } catch {
    // not a request: nothing to answer
  }
});
// polisd is gone (or closed the pipe): so is the reason to run.
lines.on('close', () => process.exit(0));
