import { isAbsolute, resolve } from 'node:path';
import { PolisError } from '@polis/core';
import type {
  DependsCondition,
  Healthcheck,
  NetworkModel,
  PortMapping,
  ProjectModel,
  ServiceModel,
  UpdateConfig,
  VolumeModel,
  VolumeMount,
} from './model.js';
import { parseEnvFile } from './interpolate.js';
import { parseBytes, parseDurationMs, shellSplit } from './units.js';
import { parseAutoscale } from '../autoscale/index.js';
import { parseReservation } from '../scheduler/index.js';

type Raw = Record<string, unknown>;

export interface NormaliseContext {
  projectName: string;
  workingDir: string;
  configFiles: string[];
  /** Variables for environment entries without a value (`- DEBUG`) and env_file defaults. */
  env: Record<string, string | undefined>;
  /** Reads an env_file (absolute path); absent means env_file is refused. */
  readFile?: (path: string) => string;
  /** Profiles to enable; services with profiles run only when one of theirs is enabled. */
  profiles: string[];
}

const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const invalid = (m: string): PolisError => new PolisError('stack.invalid', m);

/** The project's name as docker-compose 1.29 derives it: lower case, only [-_a-z0-9]. */
export function projectNameFrom(text: string): string {
  return text.toLowerCase().replace(/[^-_a-z0-9]/g, '');
}

export function normaliseProject(raw: Raw, ctx: NormaliseContext): ProjectModel {
  const services: Record<string, ServiceModel> = {};
  for (const [name, body] of Object.entries(obj(raw['services']))) {
    const svc = normaliseService(name, obj(body), ctx);
    const active = svc.profiles.length === 0 || svc.profiles.some((p) => ctx.profiles.includes(p));
    if (active) services[name] = svc;
  }
  for (const svc of Object.values(services)) {
    for (const dep of Object.keys(svc.dependsOn)) {
      if (!services[dep]) throw invalid(`service "${svc.name}" depends on undefined service "${dep}"`);
    }
  }
  checkCycles(services);
  const networks: Record<string, NetworkModel> = {};
  const rawNetworks = obj(raw['networks']);
  const usedNetworks = new Set(Object.values(services).flatMap((s) => Object.keys(s.networks)));
  for (const key of new Set([...Object.keys(rawNetworks), ...usedNetworks])) {
    const body = obj(rawNetworks[key]);
    if (!(key in rawNetworks) && key !== 'default') throw invalid(`service network "${key}" is not declared`);
    const external = body['external'] === true || Boolean(obj(body['external'])['name']);
    const explicit = str(body['name']) ?? str(obj(body['external'])['name']);
    networks[key] = {
      name: explicit ?? (external ? key : `${ctx.projectName}_${key}`),
      external,
      ...(body['driver'] ? { driver: String(body['driver']) } : {}),
      internal: body['internal'] === true,
      labels: labelMap(body['labels']),
    };
  }
  const volumes: Record<string, VolumeModel> = {};
  const rawVolumes = obj(raw['volumes']);
  for (const [key, value] of Object.entries(rawVolumes)) {
    const body = obj(value);
    const external = body['external'] === true || Boolean(obj(body['external'])['name']);
    const explicit = str(body['name']) ?? str(obj(body['external'])['name']);
    volumes[key] = {
      name: explicit ?? (external ? key : `${ctx.projectName}_${key}`),
      external,
      ...(body['driver'] ? { driver: String(body['driver']) } : {}),
      labels: labelMap(body['labels']),
    };
  }
  for (const svc of Object.values(services)) {
    for (const m of svc.volumes) {
      if (m.type === 'volume' && m.source && !volumes[m.source]) {
        throw invalid(`service "${svc.name}" refers to undefined volume ${m.source}`);
      }
    }
  }
  return {
    name: ctx.projectName,
    workingDir: ctx.workingDir,
    configFiles: ctx.configFiles,
    services,
    networks,
    volumes,
  };
}

function checkCycles(services: Record<string, ServiceModel>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw invalid(`circular dependency: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(services[name]!.dependsOn)) visit(dep, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(services)) visit(name, []);
}

function labelMap(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const item of v) {
      const [k, ...rest] = String(item).split('=');
      out[k!] = rest.join('=');
    }
    return out;
  }
  return Object.fromEntries(Object.entries(obj(v)).map(([k, val]) => [k, val === null ? '' : String(val)]));
}

function commandOf(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? v.map(String) : shellSplit(String(v));
}

function environmentOf(body: Raw, ctx: NormaliseContext, service: string): Record<string, string> {
  const out: Record<string, string> = {};
  const files = body['env_file'] === undefined ? [] : [body['env_file']].flat();
  for (const entry of files) {
    const path = typeof entry === 'string' ? entry : String(obj(entry)['path']);
    const required = typeof entry === 'string' || obj(entry)['required'] !== false;
    if (!ctx.readFile) throw invalid(`service "${service}": env_file is not available here`);
    let text: string;
    try {
      text = ctx.readFile(isAbsolute(path) ? path : resolve(ctx.workingDir, path));
    } catch {
      if (!required) continue;
      throw invalid(`service "${service}": env_file ${path} not found`);
    }
    Object.assign(out, parseEnvFile(text));
  }
  const env = body['environment'];
  if (Array.isArray(env)) {
    for (const item of env) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq >= 0) out[text.slice(0, eq)] = text.slice(eq + 1);
      else if (ctx.env[text] !== undefined) out[text] = ctx.env[text]!;
    }
  } else {
    for (const [k, v] of Object.entries(obj(env))) {
      if (v === null || v === undefined) {
        if (ctx.env[k] !== undefined) out[k] = ctx.env[k]!;
      } else out[k] = String(v);
    }
  }
  return out;
}

function portRange(text: string): number[] {
  const [a, b] = text.split('-');
  const from = Number(a);
  const to = b === undefined ? from : Number(b);
  if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) throw invalid(`invalid port "${text}"`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Short (`[ip:][published:]target[/proto]`, ranges) and long port syntax. */
export function parsePorts(list: unknown[], service: string): PortMapping[] {
  const out: PortMapping[] = [];
  for (const item of list) {
    if (item && typeof item === 'object') {
      const p = item as Raw;
      const published = str(p['published']);
      out.push({
        target: Number(p['target']),
        ...(published ? { published: Number(published) } : {}),
        ...(p['host_ip'] ? { hostIp: String(p['host_ip']) } : {}),
        protocol: p['protocol'] === 'udp' ? 'udp' : 'tcp',
      });
      continue;
    }
    const text = String(item);
    const [spec, proto = 'tcp'] = text.split('/');
    if (proto !== 'tcp' && proto !== 'udp')
      throw invalid(`service "${service}": invalid port protocol "${text}"`);
    const parts = spec!.startsWith('[') ? [spec!] : spec!.split(':');
    let hostIp: string | undefined;
    let published: string | undefined;
    let target: string;
    if (parts.length === 3) [hostIp, published, target] = parts as [string, string, string];
    else if (parts.length === 2) [published, target] = parts as [string, string];
    else target = parts[0]!;
    const targets = portRange(target);
    const pubs = published ? portRange(published) : [];
    if (pubs.length > 1 && pubs.length !== targets.length) {
      throw invalid(`service "${service}": port ranges do not match in "${text}"`);
    }
    targets.forEach((t, i) =>
      out.push({
        target: t,
        ...(pubs.length ? { published: pubs.length === 1 ? pubs[0]! : pubs[i]! } : {}),
        ...(hostIp ? { hostIp } : {}),
        protocol: proto,
      }),
    );
  }
  return out;
}

/** Short (`[source:]target[:mode]`) and long volume syntax; relative bind sources against the project. */
export function parseVolumes(list: unknown[], workingDir: string): VolumeMount[] {
  return list.map((item): VolumeMount => {
    if (item && typeof item === 'object') {
      const v = item as Raw;
      const type = (v['type'] as VolumeMount['type']) ?? 'volume';
      const source = str(v['source']);
      return {
        type,
        ...(source ? { source: type === 'bind' ? resolve(workingDir, source) : source } : {}),
        target: String(v['target']),
        readOnly: v['read_only'] === true,
      };
    }
    const parts = String(item).split(':');
    if (parts.length === 1) return { type: 'volume', target: parts[0]!, readOnly: false };
    const [source, target, mode = ''] = parts as [string, string, string?];
    const readOnly = mode.split(',').includes('ro');
    const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
    const src = source.startsWith('~') ? source.replace(/^~/, process.env['HOME'] ?? '/root') : source;
    return bind
      ? { type: 'bind', source: resolve(workingDir, src), target, readOnly }
      : { type: 'volume', source, target, readOnly };
  });
}

function healthcheckOf(v: unknown): Healthcheck | undefined {
  if (v === undefined || v === null) return undefined;
  const h = obj(v);
  if (h['disable'] === true) return { test: ['NONE'], disable: true };
  const rawTest = h['test'];
  const test =
    rawTest === undefined
      ? []
      : typeof rawTest === 'string'
        ? ['CMD-SHELL', rawTest]
        : (rawTest as unknown[]).map(String);
  const ns = (key: string): number | undefined =>
    h[key] === undefined ? undefined : Math.round(parseDurationMs(h[key], `healthcheck.${key}`) * 1e6);
  const interval = ns('interval');
  const timeout = ns('timeout');
  const start = ns('start_period');
  return {
    test,
    ...(interval !== undefined ? { intervalNs: interval } : {}),
    ...(timeout !== undefined ? { timeoutNs: timeout } : {}),
    ...(start !== undefined ? { startPeriodNs: start } : {}),
    ...(h['retries'] !== undefined ? { retries: Number(h['retries']) } : {}),
  };
}

function updateConfigOf(v: unknown, field: string): UpdateConfig {
  const u = obj(v);
  const action = String(u['failure_action'] ?? 'pause');
  return {
    parallelism: u['parallelism'] === undefined ? 1 : Number(u['parallelism']),
    delayMs: u['delay'] === undefined ? 0 : parseDurationMs(u['delay'], `${field}.delay`),
    order: u['order'] === 'start-first' ? 'start-first' : 'stop-first',
    failureAction: action === 'rollback' || action === 'continue' ? action : 'pause',
    monitorMs: u['monitor'] === undefined ? 5000 : parseDurationMs(u['monitor'], `${field}.monitor`),
  };
}

function restartOf(body: Raw): ServiceModel['restart'] {
  const policy = obj(obj(body['deploy'])['restart_policy']);
  if (policy['condition'] !== undefined) {
    return policy['condition'] === 'none'
      ? 'no'
      : policy['condition'] === 'on-failure'
        ? 'on-failure'
        : 'always';
  }
  // A service with a deploy section follows swarm's default restart_policy (condition any): replicas are kept.
  const r = String(body['restart'] ?? (body['deploy'] !== undefined ? 'always' : 'no'));
  if (r.startsWith('on-failure')) return 'on-failure';
  return r === 'always' || r === 'unless-stopped' ? r : 'no';
}

function dependsOf(v: unknown): Record<string, DependsCondition> {
  if (Array.isArray(v)) return Object.fromEntries(v.map((s) => [String(s), 'service_started' as const]));
  const out: Record<string, DependsCondition> = {};
  for (const [k, d] of Object.entries(obj(v))) {
    out[k] = (obj(d)['condition'] as DependsCondition | undefined) ?? 'service_started';
  }
  return out;
}

function normaliseService(name: string, body: Raw, ctx: NormaliseContext): ServiceModel {
  const build = body['build'];
  const image = str(body['image']);
  if (!image && build === undefined)
    throw invalid(`service "${name}" has neither an image nor a build context`);
  const deploy = obj(body['deploy']);
  const resources = obj(deploy['resources']);
  const limits = obj(resources['limits']);
  const reservations = obj(resources['reservations']);
  const rawNets = body['networks'];
  const networks: ServiceModel['networks'] = {};
  if (Array.isArray(rawNets)) for (const n of rawNets) networks[String(n)] = { aliases: [] };
  else
    for (const [k, v] of Object.entries(obj(rawNets))) {
      networks[k] = { aliases: ((obj(v)['aliases'] as unknown[]) ?? []).map(String) };
    }
  if (Object.keys(networks).length === 0 && body['network_mode'] === undefined)
    networks['default'] = { aliases: [] };
  const ulimits: ServiceModel['ulimits'] = {};
  for (const [k, v] of Object.entries(obj(body['ulimits']))) {
    ulimits[k] =
      typeof v === 'number'
        ? { soft: v, hard: v }
        : { soft: Number(obj(v)['soft']), hard: Number(obj(v)['hard']) };
  }
  const tmpfs = body['tmpfs'] === undefined ? [] : [body['tmpfs']].flat().map(String);
  const extensions = Object.fromEntries(Object.entries(body).filter(([k]) => k.startsWith('x-')));
  // Checked here so a bad reservation, priority or autoscale policy is a 400 at `up`, not a controller error.
  parseReservation(body, name);
  parseAutoscale(body['x-polis-autoscale'], name);
  const stop = body['stop_grace_period'];
  return {
    name,
    ...(image ? { image } : {}),
    ...(build !== undefined
      ? {
          build:
            typeof build === 'string'
              ? { context: resolve(ctx.workingDir, build) }
              : {
                  context: resolve(ctx.workingDir, String(obj(build)['context'] ?? '.')),
                  ...(obj(build)['dockerfile'] ? { dockerfile: String(obj(build)['dockerfile']) } : {}),
                  ...(obj(build)['args'] ? { args: labelMap(obj(build)['args']) } : {}),
                },
        }
      : {}),
    ...(commandOf(body['command']) ? { command: commandOf(body['command'])! } : {}),
    ...(commandOf(body['entrypoint']) ? { entrypoint: commandOf(body['entrypoint'])! } : {}),
    environment: environmentOf(body, ctx, name),
    ports: parsePorts((body['ports'] as unknown[]) ?? [], name),
    expose: ((body['expose'] as unknown[]) ?? []).map(String),
    volumes: parseVolumes((body['volumes'] as unknown[]) ?? [], ctx.workingDir),
    tmpfs,
    networks,
    dependsOn: dependsOf(body['depends_on']),
    ...(healthcheckOf(body['healthcheck']) ? { healthcheck: healthcheckOf(body['healthcheck'])! } : {}),
    restart: restartOf(body),
    replicas: deploy['replicas'] === undefined ? 1 : Number(deploy['replicas']),
    resources: {
      limits: {
        ...(limits['cpus'] !== undefined ? { cpus: Number(limits['cpus']) } : {}),
        ...(limits['memory'] !== undefined
          ? { memoryBytes: parseBytes(limits['memory'], 'limits.memory') }
          : {}),
        ...(limits['pids'] !== undefined ? { pids: Number(limits['pids']) } : {}),
      },
      reservations: {
        ...(reservations['cpus'] !== undefined ? { cpus: Number(reservations['cpus']) } : {}),
        ...(reservations['memory'] !== undefined
          ? { memoryBytes: parseBytes(reservations['memory'], 'reservations.memory') }
          : {}),
      },
    },
    updateConfig: updateConfigOf(deploy['update_config'], 'deploy.update_config'),
    rollbackConfig: updateConfigOf(deploy['rollback_config'], 'deploy.rollback_config'),
    labels: labelMap(body['labels']),
    ...(body['user'] !== undefined ? { user: String(body['user']) } : {}),
    ...(body['working_dir'] !== undefined ? { workingDir: String(body['working_dir']) } : {}),
    ulimits,
    capAdd: ((body['cap_add'] as unknown[]) ?? []).map(String),
    capDrop: ((body['cap_drop'] as unknown[]) ?? []).map(String),
    ...(body['init'] !== undefined ? { init: body['init'] === true } : {}),
    ...(stop !== undefined ? { stopGracePeriodS: parseDurationMs(stop, 'stop_grace_period') / 1000 } : {}),
    ...(body['hostname'] !== undefined ? { hostname: String(body['hostname']) } : {}),
    profiles: ((body['profiles'] as unknown[]) ?? []).map(String),
    extensions,
  };
}
