import { readFileSync } from 'node:fs';

export interface HostRlimits {
  /** Hard limits of the daemon's process, by OCI name (`RLIMIT_NOFILE`); a container cannot exceed them. */
  [name: string]: number;
}

const NAMES: Record<string, string> = {
  'Max open files': 'RLIMIT_NOFILE',
  'Max processes': 'RLIMIT_NPROC',
  'Max core file size': 'RLIMIT_CORE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max stack size': 'RLIMIT_STACK',
};

/** Reads the daemon's own hard rlimits from /proc/self/limits. */
export function hostRlimits(text = readFileSync('/proc/self/limits', 'utf8')): HostRlimits {
  const out: HostRlimits = {};
  for (const line of text.split('\n')) {
    for (const [label, name] of Object.entries(NAMES)) {
      if (!line.startsWith(label)) continue;
      const fields = line.slice(label.length).trim().split(/\s+/);
      const hard = fields[1];
      out[name] = hard === 'unlimited' || hard === undefined ? Number.MAX_SAFE_INTEGER : Number(hard);
    }
  }
  return out;
}
