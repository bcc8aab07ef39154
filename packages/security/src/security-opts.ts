import { PolisError, type SpecStep } from '@polis/core';
import { parseDockerSeccompProfile } from './seccomp/docker-profile.js';
import type { SeccompChoice } from './seccomp/step.js';
import { withProcess } from './spec-parts.js';

/** The `--security-opt` values, read the way the Docker daemon reads them. */
export interface SecurityOptions {
  noNewPrivileges: boolean;
  seccomp: SeccompChoice;
  /**
   * `apparmor=` and `label=` values. Accepted for compatibility and not applied: Polis sets no
   * AppArmor profile or SELinux label, as Docker does on a host without those modules.
   */
  apparmorProfile?: string;
  labels: string[];
}

function invalid(opt: string, why: string): PolisError {
  return new PolisError('request.invalid', `invalid --security-opt ${JSON.stringify(opt)}: ${why}`, {
    context: { securityOpt: opt },
  });
}

/** Go's strconv.ParseBool, which Docker uses for `no-new-privileges=<bool>`. */
function parseBool(opt: string, v: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw invalid(opt, 'no-new-privileges takes true or false');
}

function parseSeccomp(opt: string, value: string): SeccompChoice {
  if (value === 'unconfined') return { mode: 'unconfined' };
  if (value === 'builtin') return { mode: 'default' };
  // The API carries the profile's content: the client reads the file (the docker CLI does too).
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid(
      opt,
      'seccomp takes "unconfined", "builtin" or a profile as JSON (the client reads the file)',
    );
  }
  return { mode: 'custom', profile: parseDockerSeccompProfile(parsed) };
}

function split(opt: string): [string, string] {
  // `=` is the separator; `:` is Docker's deprecated one, still accepted by the daemon.
  const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : undefined;
  if (!sep) throw invalid(opt, 'expected key=value');
  const at = opt.indexOf(sep);
  return [opt.slice(0, at), opt.slice(at + 1)];
}

export function parseSecurityOptions(opts: readonly string[]): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, seccomp: { mode: 'default' }, labels: [] };
  for (const opt of opts) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') {
      out.labels.push('disable');
      continue;
    }
    const [key, value] = split(opt);
    switch (key) {
      case 'no-new-privileges':
        out.noNewPrivileges = parseBool(opt, value);
        break;
      case 'seccomp':
        out.seccomp = parseSeccomp(opt, value);
        break;
      case 'apparmor':
        out.apparmorProfile = value;
        break;
      case 'label':
        out.labels.push(value);
        break;
      default:
        throw invalid(opt, `unknown option "${key}" (known: no-new-privileges, seccomp, apparmor, label)`);
    }
  }
  return out;
}

/** Sets `process.noNewPrivileges`: with it, setuid binaries and file capabilities grant nothing. */
export function noNewPrivilegesStep(enabled: boolean): SpecStep {
  return (spec) => withProcess(spec, { noNewPrivileges: enabled });
}
