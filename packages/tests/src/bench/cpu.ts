/** CPU time of processes and threads, from /proc (for the pull benchmark's "where time goes"). */
import { readFileSync, readdirSync } from 'node:fs';
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

/** Pids of processes whose command name is one of NAMES. */
export function pidsNamed(names: string[]): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return names.includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
      } catch {
        return false;
      }
    })
    .map(Number);
}

export async function cpuMs(pids: number[]): Promise<number> {
  let total = 0;
  for (const pid of pids)
    total += await cpuTimes(pid).then(
      (t) => t.self,
      () => 0,
    );
  return total;
}

/** The whole host's CPU time since boot (all CPUs, user to steal), ms. */
export async function hostCpuMs(): Promise<number> {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line
    .trim()
    .split(/\s+/)
    .slice(1, 8)
    .map(Number)
    .reduce((a, b) => a + b, 0);
  return (ticks * 1000) / (await clockTicks());
}
