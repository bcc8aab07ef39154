/** CPU time of processes and threads, from /proc (for the pull benchmark's "where time goes"). */
import { readFileSync } from 'node:fs';
import { runCommand } from '../harness/run.js';

export interface CpuTimes {
  /** user + system of the process (all threads), ms. */
  self: number;
  /** user + system of its main thread alone, ms. */
  main: number;
  /** user + system of its children that have exited and been waited for, ms. */
  children: number;
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`), asked once. */
export async function clockTicks(): Promise<number> {
  if (ticksPerSecond === undefined) {
    const n = Number((await runCommand('getconf', ['CLK_TCK'])).stdout.trim());
    ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** utime, stime, cutime, cstime in ticks: fields 14–17, counted after the `(comm)` that may hold spaces. */
function statTicks(path: string): number[] {
  const text = readFileSync(path, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).map(Number);
}

export async function cpuTimes(pid: number): Promise<CpuTimes> {
  const ms = 1000 / (await clockTicks());
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = statTicks(`/proc/${pid}/stat`);
  const [mainU = 0, mainS = 0] = statTicks(`/proc/${pid}/task/${pid}/stat`);
  return { self: (utime + stime) * ms, main: (mainU + mainS) * ms, children: (cutime + cstime) * ms };
}

/** The largest resident set the process had so far (VmHWM), KiB. */
export function peakRssKiB(pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(m[1]);
}
