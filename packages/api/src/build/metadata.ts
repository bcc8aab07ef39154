import type { ImageRunConfig } from '@polis/core';
import { PolisError } from '@polis/core';
import type { CommandForm, Instruction } from './dockerfile/types.js';
import { expandWord, expandWords, type Vars } from './dockerfile/words.js';
import { goDuration, goQuoted } from './history.js';

/** What a config-only instruction did: the new config and history's text for it (after `#(nop)`). */
export interface MetadataResult {
  config: ImageRunConfig;
  text: string;
}

/** The shell a Dockerfile's shell forms run with when no SHELL was given. */
export const DEFAULT_SHELL = ['/bin/sh', '-c'];

export function commandArgs(command: CommandForm, shell: string[]): string[] {
  return 'exec' in command ? command.exec : [...shell, command.shell];
}

/** Key/value pairs of ENV and LABEL: `k=v …`, or the legacy `ENV k some value`. */
export function keyValues(
  rest: string,
  vars: Vars,
  escape: string,
  used: Set<string>,
  legacy: boolean,
): [string, string][] {
  const first = /^(\S+)(\s+)(.*)$/s.exec(rest);
  if (legacy && first && !(first[1] as string).includes('=')) {
    return [[first[1] as string, expandWord(first[3] as string, vars, escape, used)]];
  }
  return expandWords(rest, vars, escape, used).map((word) => {
    const eq = word.indexOf('=');
    if (eq <= 0)
      throw new PolisError(
        'build.dockerfile_invalid',
        `${legacy ? 'ENV' : 'LABEL'} names must be followed by '=': ${word}`,
      );
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

/** Sets `NAME=value` in an env list, replacing an earlier NAME. */
export function setEnv(env: string[], name: string, value: string): string[] {
  return [...env.filter((e) => e.split('=')[0] !== name), `${name}=${value}`];
}

/** Applies an instruction that changes only the config (ENV, LABEL, CMD, …). */
export function applyMetadata(
  ins: Instruction,
  current: ImageRunConfig,
  vars: Vars,
  escape: string,
  used: Set<string>,
): MetadataResult {
  const config: ImageRunConfig = structuredClone(current);
  const shell = config.Shell ?? DEFAULT_SHELL;
  const word = (s: string): string => expandWord(s, vars, escape, used);
  switch (ins.kind) {
    case 'ENV': {
      const pairs = keyValues(ins.rest, vars, escape, used, true);
      let env = config.Env ?? [];
      for (const [k, v] of pairs) env = setEnv(env, k, v);
      config.Env = env;
      return { config, text: `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}` };
    }
    case 'LABEL': {
      const pairs = keyValues(ins.rest, vars, escape, used, false);
      config.Labels = { ...(config.Labels ?? {}) };
      for (const [k, v] of pairs) config.Labels[k] = v;
      return { config, text: `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}` };
    }
    case 'USER':
      config.User = word(ins.value);
      return { config, text: `USER ${config.User}` };
    case 'STOPSIGNAL':
      config.StopSignal = word(ins.value);
      return { config, text: `STOPSIGNAL ${config.StopSignal}` };
    case 'MAINTAINER':
      return { config, text: `MAINTAINER ${ins.value}` };
    case 'CMD': {
      config.Cmd = commandArgs(ins.command, shell);
      return { config, text: `CMD ${goQuoted(config.Cmd)}` };
    }
    case 'ENTRYPOINT': {
      // The stage resets a CMD inherited from the base image (Docker's rule; see stage.ts).
      config.Entrypoint = commandArgs(ins.command, shell);
      return { config, text: `ENTRYPOINT ${goQuoted(config.Entrypoint)}` };
    }
    case 'EXPOSE': {
      const ports = ins.values.flatMap((v) => expandWords(v, vars, escape, used));
      config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
      for (const p of ports) {
        const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
        if (!m) throw new PolisError('build.dockerfile_invalid', `invalid containerPort: ${p}`);
        const proto = (m[3] ?? 'tcp').toLowerCase();
        const from = Number(m[1]);
        const to = m[2] === undefined ? from : Number(m[2]);
        for (let port = from; port <= to; port++) config.ExposedPorts[`${port}/${proto}`] = {};
      }
      return { config, text: `EXPOSE ${ports.join(' ')}` };
    }
    case 'VOLUME': {
      const paths = ins.values.map(word);
      config.Volumes = { ...(config.Volumes ?? {}) };
      for (const p of paths) config.Volumes[p] = {};
      return { config, text: `VOLUME [${paths.join(' ')}]` };
    }
    case 'SHELL':
      config.Shell = ins.shell;
      return { config, text: `SHELL [${ins.shell.join(' ')}]` };
    case 'ONBUILD':
      config.OnBuild = [...(config.OnBuild ?? []), ins.expression];
      return { config, text: `ONBUILD ${ins.expression}` };
    case 'HEALTHCHECK': {
      if (!ins.command) {
        config.Healthcheck = { Test: ['NONE'] };
        return { config, text: 'HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" \'\\x00\'}' };
      }
      const test = 'exec' in ins.command ? ['CMD', ...ins.command.exec] : ['CMD-SHELL', ins.command.shell];
      const hc: NonNullable<ImageRunConfig['Healthcheck']> = { Test: test };
      if (ins.interval !== undefined) hc.Interval = ins.interval;
      if (ins.timeout !== undefined) hc.Timeout = ins.timeout;
      if (ins.startPeriod !== undefined) hc.StartPeriod = ins.startPeriod;
      if (ins.startInterval !== undefined) hc.StartInterval = ins.startInterval;
      if (ins.retries !== undefined) hc.Retries = ins.retries;
      config.Healthcheck = hc;
      const d = (n: number | undefined): string => JSON.stringify(goDuration(n ?? 0));
      return {
        config,
        text: `HEALTHCHECK &{${goQuoted(test)} ${d(hc.Interval)} ${d(hc.Timeout)} ${d(hc.StartPeriod)} ${d(hc.StartInterval)} '\\x${(hc.Retries ?? 0).toString(16).padStart(2, '0')}'}`,
      };
    }
    default:
      throw new PolisError('internal', `${ins.kind} is not a metadata instruction`);
  }
}
