import { PolisError } from '@polis/core';

/** A seccomp profile in Docker's format (`docker run --security-opt seccomp=profile.json`). */
export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  /** Old form: the architectures, flat. A profile uses either this or `archMap`. */
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  flags?: string[];
  syscalls?: DockerSyscallRule[];
}

export interface DockerSyscallRule {
  /** Old form of `names` with one entry; a rule uses one or the other. */
  name?: string;
  names?: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[] | null;
  comment?: string;
  /** The rule applies only when all of these hold. */
  includes?: DockerRuleFilter;
  /** The rule is dropped when any of these holds. */
  excludes?: DockerRuleFilter;
}

export interface DockerRuleFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string;
}

function invalid(message: string): PolisError {
  return new PolisError('request.invalid', `invalid seccomp profile: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkStrings(v: unknown, where: string): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw invalid(`${where} must be a list of strings`);
}

function checkNumber(v: unknown, where: string): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
    throw invalid(`${where} must be a non-negative integer`);
  }
}

function checkFilter(v: unknown, where: string): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) throw invalid(`${where} must be an object`);
  checkStrings(v.caps, `${where}.caps`);
  checkStrings(v.arches, `${where}.arches`);
  if (v.minKernel !== undefined && (typeof v.minKernel !== 'string' || !/^\d+\.\d+/.test(v.minKernel))) {
    throw invalid(`${where}.minKernel must be a kernel version like "4.8"`);
  }
}

function checkRule(v: unknown, i: number): void {
  const where = `syscalls[${i}]`;
  if (!isObject(v)) throw invalid(`${where} must be an object`);
  if (v.name !== undefined && typeof v.name !== 'string') throw invalid(`${where}.name must be a string`);
  checkStrings(v.names, `${where}.names`);
  if (typeof v.action !== 'string') throw invalid(`${where}.action must be a string`);
  checkNumber(v.errnoRet, `${where}.errnoRet`);
  if (v.args !== undefined && v.args !== null) {
    if (!Array.isArray(v.args)) throw invalid(`${where}.args must be a list`);
    v.args.forEach((a, j) => {
      if (!isObject(a) || typeof a.op !== 'string') throw invalid(`${where}.args[${j}] needs an op`);
      checkNumber(a.index, `${where}.args[${j}].index`);
      checkNumber(a.value, `${where}.args[${j}].value`);
      checkNumber(a.valueTwo, `${where}.args[${j}].valueTwo`);
    });
  }
  checkFilter(v.includes, `${where}.includes`);
  checkFilter(v.excludes, `${where}.excludes`);
}

/** Checks that a parsed JSON value has the shape of a Docker profile (the fields Polis reads). */
export function parseDockerSeccompProfile(value: unknown): DockerSeccompProfile {
  if (!isObject(value)) throw invalid('the profile must be a JSON object');
  if (typeof value.defaultAction !== 'string') throw invalid('defaultAction must be a string');
  checkNumber(value.defaultErrnoRet, 'defaultErrnoRet');
  checkStrings(value.architectures, 'architectures');
  checkStrings(value.flags, 'flags');
  if (value.archMap !== undefined && value.archMap !== null) {
    if (!Array.isArray(value.archMap)) throw invalid('archMap must be a list');
    value.archMap.forEach((m, i) => {
      if (!isObject(m) || typeof m.architecture !== 'string')
        throw invalid(`archMap[${i}] needs an architecture`);
      checkStrings(m.subArchitectures, `archMap[${i}].subArchitectures`);
    });
  }
  if (value.syscalls !== undefined && value.syscalls !== null) {
    if (!Array.isArray(value.syscalls)) throw invalid('syscalls must be a list');
    value.syscalls.forEach(checkRule);
  }
  return value as unknown as DockerSeccompProfile;
}
