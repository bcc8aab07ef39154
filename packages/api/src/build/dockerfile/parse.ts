import { parseError, splitDockerfile, type RawInstruction } from './lines.js';
import type { CommandForm, Dockerfile, Instruction, Stage } from './types.js';
import { parseDuration } from './duration.js';

/** Dockerfiles past this are refused (Docker has no limit, but a context must not hold polisd's memory). */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

const FLAGS: Record<string, readonly string[]> = {
  FROM: ['platform'],
  RUN: ['network', 'mount', 'security'],
  COPY: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'],
  ADD: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

const KEYWORDS = new Set([
  'FROM',
  'RUN',
  'COPY',
  'ADD',
  'ENV',
  'ARG',
  'WORKDIR',
  'USER',
  'CMD',
  'ENTRYPOINT',
  'EXPOSE',
  'LABEL',
  'VOLUME',
  'HEALTHCHECK',
  'SHELL',
  'STOPSIGNAL',
  'ONBUILD',
  'MAINTAINER',
]);

/** Parses a Dockerfile into its stages; any mistake is `build.dockerfile_invalid` naming file and line. */
export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  if (Buffer.byteLength(text) > MAX_DOCKERFILE_BYTES)
    throw parseError(file, 1, `the Dockerfile is larger than ${MAX_DOCKERFILE_BYTES} bytes`);
  const split = splitDockerfile(text, file);
  const metaArgs: Dockerfile['metaArgs'] = [];
  const stages: Stage[] = [];
  for (const raw of split.instructions) {
    const fail = (message: string): never => {
      throw parseError(file, raw.line, message);
    };
    if (!KEYWORDS.has(raw.keyword)) fail(`unknown instruction: ${raw.keyword}`);
    if (raw.keyword === 'FROM') {
      stages.push(fromStage(raw, stages.length, fail));
      continue;
    }
    const instruction = parseInstruction(raw, fail);
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (instruction.kind !== 'ARG')
        fail('no build stage in current context (the first instruction must be FROM or ARG)');
      else metaArgs.push(...instruction.args);
      continue;
    }
    stage.instructions.push(instruction);
  }
  if (stages.length === 0)
    throw parseError(file, Math.max(1, text.split('\n').length), 'file with no instructions');
  const names = new Set<string>();
  for (const stage of stages) {
    if (stage.name === undefined) continue;
    if (names.has(stage.name)) throw parseError(file, stage.line, `duplicate name ${stage.name}`);
    names.add(stage.name);
  }
  return { file, escape: split.escape, metaArgs, stages };
}

function fromStage(raw: RawInstruction, index: number, fail: (m: string) => never): Stage {
  const { flags, rest } = takeFlags(raw, fail);
  const words = rest.split(/\s+/).filter((w) => w !== '');
  if (words.length !== 1 && !(words.length === 3 && (words[1] as string).toLowerCase() === 'as'))
    fail('FROM requires either one or three arguments (FROM image [AS name])');
  const stage: Stage = {
    index,
    base: words[0] as string,
    line: raw.line,
    original: raw.original,
    instructions: [],
  };
  if (words.length === 3) {
    const name = (words[2] as string).toLowerCase();
    if (!/^[a-z][a-z0-9-_.]*$/.test(name))
      fail(`invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
    stage.name = name;
  }
  if (flags.platform !== undefined) stage.platform = flags.platform;
  return stage;
}

export function parseInstruction(raw: RawInstruction, fail: (m: string) => never): Instruction {
  const base = { line: raw.line, original: raw.original };
  const { flags, rest } = takeFlags(raw, fail);
  const needArgs = (): void => {
    if (rest === '') fail(`${raw.keyword} requires at least one argument`);
  };
  switch (raw.keyword) {
    case 'RUN': {
      needArgs();
      const command = runCommand(raw, rest);
      return {
        ...base,
        kind: 'RUN',
        command,
        ...(flags.network !== undefined ? { network: flags.network } : {}),
      };
    }
    case 'COPY':
    case 'ADD': {
      const json = jsonArray(rest);
      const words = json ?? rest.split(/\s+/).filter((w) => w !== '');
      const heredocNames = new Set(raw.heredocs.map((h) => h.name));
      const paths = words.map((w) => {
        const h = /^<<-?["']?([A-Za-z_][A-Za-z0-9_]*)["']?$/.exec(w);
        return h && heredocNames.has(h[1] as string) ? `<<${h[1]}` : w;
      });
      if (paths.length < 2) fail(`${raw.keyword} requires at least two arguments, but got ${paths.length}`);
      return {
        ...base,
        kind: raw.keyword,
        sources: paths.slice(0, -1),
        dest: paths[paths.length - 1] as string,
        heredocs: raw.heredocs,
        ...(flags.from !== undefined ? { from: flags.from } : {}),
        ...(flags.chown !== undefined ? { chown: flags.chown } : {}),
        ...(flags.chmod !== undefined ? { chmod: flags.chmod } : {}),
      };
    }
    case 'ENV':
    case 'LABEL':
      needArgs();
      if (raw.keyword === 'LABEL' && !/=/.test(rest)) fail('LABEL requires key=value pairs');
      return { ...base, kind: raw.keyword, rest };
    case 'ARG': {
      needArgs();
      const args = rest.split(/\s+/).map((w) => {
        const eq = w.indexOf('=');
        const name = eq < 0 ? w : w.slice(0, eq);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(`invalid ARG name: ${name}`);
        return eq < 0 ? { name } : { name, value: w.slice(eq + 1) };
      });
      return { ...base, kind: 'ARG', args };
    }
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL':
    case 'MAINTAINER':
      needArgs();
      return { ...base, kind: raw.keyword, value: rest };
    case 'CMD':
    case 'ENTRYPOINT':
      return { ...base, kind: raw.keyword, command: commandForm(rest) };
    case 'EXPOSE':
      needArgs();
      return { ...base, kind: 'EXPOSE', values: rest.split(/\s+/) };
    case 'VOLUME': {
      needArgs();
      const values = jsonArray(rest) ?? rest.split(/\s+/);
      if (values.some((v) => v.trim() === '')) fail('VOLUME specified can not be an empty string');
      return { ...base, kind: 'VOLUME', values };
    }
    case 'SHELL': {
      const shell = jsonArray(rest);
      if (!shell || shell.length === 0) fail('SHELL requires the arguments to be in JSON form');
      return { ...base, kind: 'SHELL', shell: shell as string[] };
    }
    case 'ONBUILD': {
      needArgs();
      const inner = /^([A-Za-z]+)/.exec(rest);
      const keyword = (inner?.[1] ?? '').toUpperCase();
      if (keyword === 'ONBUILD') fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (keyword === 'FROM' || keyword === 'MAINTAINER')
        fail(`${keyword} isn't allowed as an ONBUILD trigger`);
      if (!KEYWORDS.has(keyword)) fail(`unknown instruction: ${keyword}`);
      return { ...base, kind: 'ONBUILD', expression: rest };
    }
    case 'HEALTHCHECK':
      return healthcheck(raw, rest, flags, fail);
    default:
      return fail(`unknown instruction: ${raw.keyword}`);
  }
}

function healthcheck(
  raw: RawInstruction,
  rest: string,
  flags: Record<string, string>,
  fail: (m: string) => never,
): Instruction {
  const base = { line: raw.line, original: raw.original, kind: 'HEALTHCHECK' as const };
  const m = /^(\S+)\s*(.*)$/s.exec(rest);
  const type = (m?.[1] ?? '').toUpperCase();
  if (type === 'NONE') {
    if ((m?.[2] ?? '') !== '' || Object.keys(flags).length > 0) fail('HEALTHCHECK NONE takes no arguments');
    return base;
  }
  if (type !== 'CMD') fail(`Unknown type "${m?.[1] ?? ''}" in HEALTHCHECK (try CMD)`);
  const duration = (name: string): number | undefined => {
    const v = flags[name];
    if (v === undefined) return undefined;
    const ns = parseDuration(v);
    if (ns === undefined) fail(`invalid duration for --${name}: ${v}`);
    if ((ns as number) !== 0 && (ns as number) < 1_000_000)
      fail(`Interval "${name}" cannot be less than 1ms`);
    return ns;
  };
  const out: Instruction = { ...base, command: commandForm(m?.[2] ?? '') };
  const interval = duration('interval');
  const timeout = duration('timeout');
  const startPeriod = duration('start-period');
  const startInterval = duration('start-interval');
  if (interval !== undefined) out.interval = interval;
  if (timeout !== undefined) out.timeout = timeout;
  if (startPeriod !== undefined) out.startPeriod = startPeriod;
  if (startInterval !== undefined) out.startInterval = startInterval;
  if (flags.retries !== undefined) {
    const retries = Number(flags.retries);
    if (!Number.isInteger(retries) || retries < 0)
      fail(`--retries must be a non-negative integer: ${flags.retries}`);
    out.retries = retries;
  }
  return out;
}

/** RUN: exec form, shell form, or a heredoc: `RUN <<EOF` alone runs the body as the script. */
function runCommand(raw: RawInstruction, rest: string): CommandForm {
  const first = raw.heredocs[0];
  if (first && raw.heredocs.length === 1 && /^<<-?["']?[A-Za-z_][A-Za-z0-9_]*["']?$/.test(rest))
    return { shell: first.content };
  if (raw.heredocs.length > 0) {
    // The shell reads the heredocs itself: the line, then each body and its terminator.
    return { shell: [rest, ...raw.heredocs.map((h) => `${h.content}${h.name}`)].join('\n') };
  }
  return commandForm(rest);
}

function commandForm(rest: string): CommandForm {
  const json = jsonArray(rest);
  return json ? { exec: json } : { shell: rest };
}

/** A JSON array of strings, or undefined (Docker then takes the text as the shell form). */
function jsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  } catch {
    // Not JSON: the shell form.
  }
  return undefined;
}

/** Leading `--name=value` (or bare `--name`) flags, checked against the instruction's known flags. */
function takeFlags(
  raw: RawInstruction,
  fail: (m: string) => never,
): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = raw.rest;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!m) break;
    const name = (m[1] as string).toLowerCase();
    if (!(FLAGS[raw.keyword] ?? []).includes(name)) fail(`unknown flag: ${name}`);
    if (
      name === 'mount' ||
      name === 'security' ||
      name === 'parents' ||
      name === 'exclude' ||
      name === 'checksum'
    )
      fail(`--${name} needs BuildKit; Polis builds as Docker's classic builder does`);
    flags[name] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  return { flags, rest: rest.trim() };
}
