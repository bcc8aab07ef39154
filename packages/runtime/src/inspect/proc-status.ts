import { ALL_CAPABILITIES } from '@polis/security';

/** The security lines of /proc/PID/status. */
export interface ProcStatus {
  capEff: string[];
  capPrm: string[];
  capBnd: string[];
  /** 0 disabled, 1 strict, 2 filter. */
  seccomp: number;
  noNewPrivs: boolean;
}

/** Capability names of a CapEff-style hex mask; a bit newer than Polis's table is `CAP_<n>`. */
export function decodeCapabilities(hex: string): string[] {
  const mask = BigInt(`0x${hex || '0'}`);
  const out: string[] = [];
  for (let i = 0; i < 64; i++) {
    if ((mask >> BigInt(i)) & 1n) out.push(ALL_CAPABILITIES[i] ?? `CAP_${i}`);
  }
  return out;
}

export function parseProcStatus(text: string): ProcStatus {
  const field = (name: string): string => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1] ?? '';
  return {
    capEff: decodeCapabilities(field('CapEff')),
    capPrm: decodeCapabilities(field('CapPrm')),
    capBnd: decodeCapabilities(field('CapBnd')),
    seccomp: Number(field('Seccomp') || 0),
    noNewPrivs: field('NoNewPrivs') === '1',
  };
}
