import { posix } from 'node:path';
import { PolisError, type ImageRunConfig } from '@polis/core';

/**
 * Applies Dockerfile-like `--change` instructions to an image's run config, as `docker import -c`
 * and `docker commit -c` do: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, STOPSIGNAL, VOLUME,
 * ONBUILD.
 */
export function applyChanges(base: ImageRunConfig, changes: readonly string[]): ImageRunConfig {
  const config: ImageRunConfig = structuredClone(base);
  let cmdSet = false;
  for (const change of changes) {
    const match = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(change);
    if (!match) {
      if (change.trim() === '') continue;
      throw invalid(change, 'is not a valid change command');
    }
    const keyword = (match[1] ?? '').toUpperCase();
    const rest = (match[2] ?? '').trim();
    switch (keyword) {
      case 'CMD':
        config.Cmd = commandForm(rest);
        cmdSet = true;
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = commandForm(rest);
        // Docker: a new ENTRYPOINT drops a CMD that did not come with it.
        if (!cmdSet) config.Cmd = null;
        break;
      case 'ENV':
        config.Env = setEnv(config.Env ?? [], keyValues(change, rest));
        break;
      case 'LABEL':
        config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(keyValues(change, rest)) };
        break;
      case 'WORKDIR':
        if (rest === '') throw invalid(change, 'WORKDIR requires exactly one argument');
        config.WorkingDir = rest.startsWith('/') ? rest : posix.join('/', config.WorkingDir ?? '/', rest);
        break;
      case 'USER':
        if (rest === '') throw invalid(change, 'USER requires exactly one argument');
        config.User = unquote(rest);
        break;
      case 'EXPOSE':
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}), ...exposedPorts(change, rest) };
        break;
      case 'STOPSIGNAL':
        if (!/^[A-Za-z0-9+]+$/.test(rest))
          throw invalid(change, 'STOPSIGNAL requires one signal name or number');
        config.StopSignal = rest;
        break;
      case 'VOLUME':
        config.Volumes = {
          ...(config.Volumes ?? {}),
          ...Object.fromEntries((jsonArray(rest) ?? words(rest).map(unquote)).map((v) => [v, {}])),
        };
        break;
      case 'ONBUILD': {
        // Docker keeps the instruction as written; it runs only when an image is built FROM this one.
        const trigger = /^([A-Za-z]+)/.exec(rest)?.[1]?.toUpperCase();
        if (trigger === undefined) throw invalid(change, 'ONBUILD requires at least one argument');
        if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(trigger))
          throw invalid(change, `${trigger} isn't allowed as an ONBUILD trigger`);
        config.OnBuild = [...(config.OnBuild ?? []), rest];
        break;
      }
      default:
        throw invalid(change, `${keyword} is not a valid change command`);
    }
  }
  return config;
}

function invalid(change: string, reason: string): PolisError {
  return new PolisError('image.change_invalid', `invalid change "${change}": ${reason}`, {
    context: { change },
  });
}

function jsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  } catch {
    // Not JSON: Docker then takes the text as shell form.
  }
  return undefined;
}

/** Exec form `["a","b"]` or shell form `a b` → `["/bin/sh","-c","a b"]`. */
function commandForm(text: string): string[] {
  return jsonArray(text) ?? ['/bin/sh', '-c', text];
}

/** Splits on unquoted whitespace, keeping quotes and escapes in the words. */
function words(text: string): string[] {
  const out: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\' && quote !== "'" && i + 1 < text.length) {
      word += c + text.charAt(++i);
    } else if (quote !== undefined) {
      word += c;
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      word += c;
      quote = c;
    } else if (/\s/.test(c)) {
      if (word !== '') out.push(word);
      word = '';
    } else {
      word += c;
    }
  }
  if (word !== '') out.push(word);
  return out;
}

/** Removes quotes and backslash escapes as Docker's shell lexer does. */
function unquote(text: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
    } else if (c === '\\' && i + 1 < text.length) {
      const next = text.charAt(i + 1);
      if (quote === '"' && !'"\\$`'.includes(next)) out += c;
      out += next;
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else out += c;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else {
      out += c;
    }
  }
  return out;
}

/** `A=1 B="two words"` or the legacy `A value with spaces`. */
function keyValues(change: string, rest: string): [string, string][] {
  const parts = words(rest);
  const first = parts[0];
  if (first === undefined) throw invalid(change, 'requires at least one argument');
  if (!first.includes('=')) {
    const value = rest.slice(rest.indexOf(first) + first.length).trim();
    if (value === '') throw invalid(change, 'requires a value');
    return [[unquote(first), unquote(value)]];
  }
  return parts.map((part) => {
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalid(change, `syntax error: "${part}" is not NAME=VALUE`);
    return [unquote(part.slice(0, eq)), unquote(part.slice(eq + 1))];
  });
}

function setEnv(env: string[], pairs: [string, string][]): string[] {
  const out = [...env];
  for (const [key, value] of pairs) {
    const i = out.findIndex((e) => e.split('=', 1)[0] === key);
    if (i === -1) out.push(`${key}=${value}`);
    else out[i] = `${key}=${value}`;
  }
  return out;
}

/** `80`, `53/udp`, `8000-8002/tcp` → `{"80/tcp": {}, …}`. */
function exposedPorts(change: string, rest: string): Record<string, object> {
  const out: Record<string, object> = {};
  const list = words(rest).map(unquote);
  if (list.length === 0) throw invalid(change, 'EXPOSE requires at least one argument');
  for (const spec of list) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
    const start = Number(m?.[1]);
    const end = m?.[2] === undefined ? start : Number(m[2]);
    if (!m || start < 1 || end > 65535 || end < start) throw invalid(change, `invalid port "${spec}"`);
    const proto = (m[3] ?? 'tcp').toLowerCase();
    for (let port = start; port <= end; port++) out[`${port}/${proto}`] = {};
  }
  return out;
}
