import { PolisError, type SpecStep } from '@polis/core';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './capability-names.js';
import { withProcess } from './spec-parts.js';

export interface CapabilityOptions {
  privileged: boolean;
  capAdd: readonly string[];
  capDrop: readonly string[];
  /**
   * The capabilities the daemon itself holds (its bounding set, read by the caller). When given,
   * "all" (privileged, `--cap-add ALL`) means all of these: a runtime cannot grant what it lacks,
   * and this machine withholds CAP_SYS_RESOURCE.
   */
  hostCapabilities?: readonly string[];
}

const ALL = 'ALL';
const known = new Set(ALL_CAPABILITIES);

/** Docker's spelling rules: any case, `CAP_` optional, `ALL` kept as is; unknown names are refused. */
export function normalizeCapabilities(names: readonly string[]): string[] {
  return names.map((raw) => {
    const upper = raw.trim().toUpperCase();
    if (upper === ALL) return ALL;
    const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!known.has(name)) {
      throw new PolisError('request.invalid', `unknown capability: "${name}"`, {
        context: { capability: raw },
      });
    }
    return name;
  });
}

/** The final capability list, following Docker's TweakCapabilities. */
export function resolveCapabilities(opts: CapabilityOptions): string[] {
  const all = opts.hostCapabilities
    ? ALL_CAPABILITIES.filter((c) => opts.hostCapabilities?.includes(c))
    : [...ALL_CAPABILITIES];
  if (opts.privileged) return all;
  const add = normalizeCapabilities(opts.capAdd);
  const drop = normalizeCapabilities(opts.capDrop);
  let caps: string[];
  if (add.includes(ALL)) {
    caps = all.filter((c) => !drop.includes(c));
  } else if (drop.includes(ALL)) {
    caps = add;
  } else {
    caps = [...DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add];
  }
  return [...new Set(caps)];
}

/**
 * Sets the process capabilities. Like Docker (since the fix for CVE-2022-24769), a non-root process
 * gets the set only as its bounding set, with effective and permitted empty, as execve would leave
 * them; so this step runs after the step that sets the process user. Inheritable and ambient stay
 * empty in every case.
 */
export function capabilitiesStep(opts: CapabilityOptions): SpecStep {
  const caps = resolveCapabilities(opts);
  return (spec) => {
    const root = (spec.process?.user.uid ?? 0) === 0;
    return withProcess(spec, {
      capabilities: {
        bounding: [...caps],
        effective: root ? [...caps] : [],
        permitted: root ? [...caps] : [],
        inheritable: [],
        ambient: [],
      },
    });
  };
}
