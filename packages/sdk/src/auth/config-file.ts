/**
 * Registry credentials in docker's `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`),
 * shared with the docker CLI: entries under `auths`, keyed by server, `{"auth": base64("user:pass")}`.
 *
 * Credential helpers (`credsStore`, `credHelpers`) are not run: the client reads and writes only the
 * file's `auths`, and leaves those keys as they are. `helperFor` tells callers when one is configured.
 */
import { PolisError } from '@polis/core/errors';
import { DEFAULT_DOMAIN, parseReference } from '../reference.js';
import type { RegistryAuth } from './registry-auth.js';

/** Docker Hub's key in `auths` (docker's `IndexServer`). */
// Taken from the process when a command reads or writes the file, never imported: under Bun (the CLI's
// single executable) a static import of node:fs costs every command's start ~4 ms.
const nodeFs = () => process.getBuiltinModule('node:fs');
const nodePath = () => process.getBuiltinModule('node:path');

export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

interface ConfigJson {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** docker's `ConvertToHostname`: `https://host:5000/v2/` → `host:5000`. */
export function hostnameOf(server: string): string {
  const bare = server.replace(/^https?:\/\//, '');
  const slash = bare.indexOf('/');
  return slash < 0 ? bare : bare.slice(0, slash);
}

/** The key credentials for `server` are stored under: Docker Hub's URL, or the host for others. */
export function serverKey(server: string): string {
  const host = hostnameOf(server);
  return host === '' || HUB_ALIASES.has(host) ? DOCKER_HUB_SERVER : host;
}

/** The registry server an image reference is pulled from (`busybox` → Docker Hub). */
export function serverOfImage(image: string): string {
  const { domain } = parseReference(image);
  return domain === DEFAULT_DOMAIN ? DOCKER_HUB_SERVER : domain;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir =
    env.DOCKER_CONFIG ??
    nodePath().join(env.HOME ?? process.getBuiltinModule('node:os').homedir(), '.docker');
  return nodePath().join(dir, 'config.json');
}

export class DockerConfigFile {
  constructor(readonly path: string = configPath()) {}

  /** The file's JSON; `{}` when it does not exist. */
  read(): ConfigJson {
    let text: string;
    try {
      text = nodeFs().readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as ConfigJson;
    } catch (err) {
      throw new PolisError('request.invalid', `${this.path}: invalid JSON`, {
        cause: err,
        context: { path: this.path },
      });
    }
  }

  /** The stored credentials for a server (any spelling of it), with `serveraddress` set. */
  credentials(server: string): RegistryAuth | undefined {
    const key = serverKey(server);
    const auths = this.read().auths ?? {};
    const found = auths[key] ?? Object.entries(auths).find(([k]) => serverKey(k) === key && k !== key)?.[1];
    if (found === undefined) return undefined;
    const out: RegistryAuth = { serveraddress: key };
    if (typeof found.auth === 'string' && found.auth !== '') {
      const text = Buffer.from(found.auth, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon < 0) {
        throw new PolisError('request.invalid', `${this.path}: invalid auth entry for ${key}`, {
          context: { path: this.path, server: key },
        });
      }
      out.username = text.slice(0, colon);
      out.password = text.slice(colon + 1);
    } else {
      if (typeof found.username === 'string') out.username = found.username;
      if (typeof found.password === 'string') out.password = found.password;
    }
    if (typeof found.identitytoken === 'string' && found.identitytoken !== '') {
      out.identitytoken = found.identitytoken;
    }
    return out.username !== undefined || out.identitytoken !== undefined ? out : undefined;
  }

  /** The credentials for the registry an image comes from. */
  credentialsForImage(image: string): RegistryAuth | undefined {
    return this.credentials(serverOfImage(image));
  }

  /** The credential helper configured for a server, which this client does not run. */
  helperFor(server: string): string | undefined {
    const config = this.read();
    return config.credHelpers?.[hostnameOf(serverKey(server))] ?? config.credsStore;
  }

  /**
   * Stores credentials for a server; with an identity token the password is not kept (as docker does).
   * Other entries and keys stay as they were. Returns the key used.
   */
  store(server: string, auth: { username: string; password?: string; identitytoken?: string }): string {
    const key = serverKey(server);
    const config = this.read();
    const token = auth.identitytoken ?? '';
    const secret = token === '' ? (auth.password ?? '') : '';
    const entry: AuthEntry = { auth: Buffer.from(`${auth.username}:${secret}`).toString('base64') };
    if (token !== '') entry.identitytoken = token;
    const auths = { ...(config.auths ?? {}) };
    for (const k of Object.keys(auths)) if (k !== key && serverKey(k) === key) delete auths[k];
    auths[key] = entry;
    this.write({ ...config, auths });
    return key;
  }

  /** Removes a server's credentials (every spelling of it); returns the keys removed. */
  remove(server: string): string[] {
    const key = serverKey(server);
    const config = this.read();
    const auths = { ...(config.auths ?? {}) };
    const removed = Object.keys(auths).filter((k) => serverKey(k) === key);
    if (removed.length === 0) return [];
    for (const k of removed) delete auths[k];
    this.write({ ...config, auths });
    return removed;
  }

  /** Writes through a temporary file and a rename, so a reader never sees half a file; mode 0600. */
  private write(config: ConfigJson): void {
    const { mkdirSync, writeFileSync, chmodSync, renameSync } = nodeFs();
    mkdirSync(nodePath().dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}
