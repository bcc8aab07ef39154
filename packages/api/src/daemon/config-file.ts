import { readFileSync } from 'node:fs';
import { PolisError, errnoCode } from '@polis/core';

/** Where polisd looks for its configuration when `--config-file` is not given. */
export const DEFAULT_CONFIG_FILE = '/etc/polis/daemon.json';

/** The subset of dockerd's daemon.json that Polis reads, with dockerd's key names. */
export interface ConfigFile {
  'data-root'?: string;
  'exec-root'?: string;
  hosts?: string[];
  'default-runtime'?: string;
  'log-level'?: string;
  'log-opts'?: Record<string, string>;
  'insecure-registries'?: string[];
  'registry-mirrors'?: string[];
  bip?: string;
  'default-address-pools'?: { base: string; size: number }[];
  group?: string;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
  'insecure-tcp-loopback'?: boolean;
  /** Polis's own: client certificates (CN or SHA-256 fingerprint) that may only read. */
  'readonly-clients'?: string[];
  'exec-opts'?: string[];
  'userns-remap'?: string;
  'metrics-addr'?: string;
  /** Polis's own: the Kubernetes CRI socket (`none`: off). */
  'cri-socket'?: string;
  /** Polis's own: alert rules (`{name, on, for?, webhook?, secret?, exec?, event?}`), as `polis alert add` takes. */
  alerts?: unknown[];
}

const STRINGS = [
  'data-root',
  'exec-root',
  'default-runtime',
  'log-level',
  'bip',
  'group',
  'tlscacert',
  'tlscert',
  'tlskey',
  'userns-remap',
  'metrics-addr',
  'cri-socket',
] as const;
const LISTS = ['hosts', 'insecure-registries', 'registry-mirrors', 'readonly-clients', 'exec-opts'] as const;
const BOOLEANS = ['tlsverify', 'insecure-tcp-loopback'] as const;
/** Every key daemon.json may hold (the usage text names them all). */
export const DAEMON_JSON_KEYS: readonly string[] = [
  ...STRINGS,
  ...LISTS,
  ...BOOLEANS,
  'log-opts',
  'alerts',
  'default-address-pools',
];

/**
 * Reads a daemon.json. A missing file is no configuration when it is the default path, and an error
 * when it was asked for; unknown keys are refused, as dockerd refuses them, so a typo is not ignored.
 */
export function readConfigFile(path: string, explicit: boolean): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && errnoCode(err) === 'ENOENT') return {};
    throw new PolisError('request.invalid', `cannot read the config file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PolisError('request.invalid', `the config file ${path} is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolisError('request.invalid', `the config file ${path} must hold a JSON object`);
  }
  const config = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(config)) {
    const ok =
      ((STRINGS as readonly string[]).includes(key) && typeof v === 'string') ||
      ((BOOLEANS as readonly string[]).includes(key) && typeof v === 'boolean') ||
      ((LISTS as readonly string[]).includes(key) &&
        Array.isArray(v) &&
        v.every((x) => typeof x === 'string')) ||
      (key === 'alerts' && Array.isArray(v)) ||
      (key === 'default-address-pools' &&
        Array.isArray(v) &&
        v.every(
          (p) =>
            typeof p === 'object' &&
            p !== null &&
            typeof (p as { base?: unknown }).base === 'string' &&
            typeof (p as { size?: unknown }).size === 'number',
        )) ||
      (key === 'log-opts' &&
        typeof v === 'object' &&
        v !== null &&
        Object.values(v as object).every((x) => typeof x === 'string'));
    if (!ok) {
      throw new PolisError(
        'request.invalid',
        `the config file ${path} has an unknown or invalid key "${key}"`,
      );
    }
  }
  return config as ConfigFile;
}
