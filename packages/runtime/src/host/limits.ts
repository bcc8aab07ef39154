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

/**
 * The daemon's bounding capability set (CapBnd in /proc/self/status), by kernel number. A container
 * cannot get more than this: "all capabilities" means these.
 */
export function hostCapabilityNumbers(text = readFileSync('/proc/self/status', 'utf8')): number[] {
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  if (!hex) return [];
  const mask = BigInt(`0x${hex}`);
  const out: number[] = [];
  for (let i = 0; i < 64; i++) if ((mask >> BigInt(i)) & 1n) out.push(i);
  return out;
}
