import { PolisError } from '@polis/core';
import { stringify } from 'yaml';
import { parseComposeDuration } from '../autoscale/duration.js';
import { horizontalPodAutoscaler } from './hpa.js';
import type {
  ComposeLike,
  ComposeServiceLike,
  ComposeVolumeMountLike,
  StringOrList,
} from './compose-like.js';
import { parsePorts, type PortMapping } from './ports.js';
import { cpuQuantity, memoryQuantity } from './quantity.js';
import { shellWords } from './shell-words.js';

export interface ConvertOptions {
  /** The project's name when the document has none (`name:`); "default" otherwise. */
  projectName?: string;
  /** metadata.namespace of every object; none (the kubectl context's) when absent. */
  namespace?: string;
  /** How published ports are exposed outside the cluster; LoadBalancer by default. */
  publishedServiceType?: 'LoadBalancer' | 'NodePort';
  /** A named volume's claim size when it has no `x-polis-size`; 1Gi by default. */
  defaultVolumeSize?: string;
}

export type Manifest = Record<string, unknown>;
type Labels = Record<string, string>;

/** A DNS-1123 label (what Kubernetes names take): lowercase, [a-z0-9-], at most 63, ends alphanumeric. */
export function kubeName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return cleaned || 'x';
}

const words = (v: StringOrList, what: string): string[] =>
  Array.isArray(v) ? v.map(String) : shellWords(v, what);
const seconds = (raw: string | number | undefined, fallback: string, what: string, least: number): number =>
  Math.max(least, Math.ceil(parseComposeDuration(raw ?? fallback, what) / 1000));

function env(service: ComposeServiceLike): { name: string; value: string }[] {
  const e = service.environment;
  if (!e) return [];
  // A variable without a value ("FOO" or FOO: null) takes the caller's environment in compose; there is
  // none in a cluster, so it is left out, as interpolation left it unset.
  const pairs: [string, string][] = Array.isArray(e)
    ? e.flatMap((line): [string, string][] => {
        const eq = line.indexOf('=');
        return eq < 0 ? [] : [[line.slice(0, eq), line.slice(eq + 1)]];
      })
    : Object.entries(e).flatMap(([k, v]): [string, string][] =>
        v === null || v === undefined ? [] : [[k, String(v)]],
      );
  return pairs.map(([name, value]) => ({ name, value }));
}

/** healthcheck → an exec probe; undefined when there is none or it is disabled. */
function probe(service: ComposeServiceLike, what: string): Manifest | undefined {
  const h = service.healthcheck;
  if (!h || h.disable || h.test === undefined) return undefined;
  const test = typeof h.test === 'string' ? ['CMD-SHELL', h.test] : h.test.map(String);
  let command: string[];
  if (test[0] === 'NONE') return undefined;
  if (test[0] === 'CMD') command = test.slice(1);
  else if (test[0] === 'CMD-SHELL') command = ['/bin/sh', '-c', test.slice(1).join(' ')];
  else
    throw new PolisError(
      'request.invalid',
      `${what}.healthcheck.test must start with CMD, CMD-SHELL or NONE`,
    );
  const retries = h.retries === undefined ? 3 : Number(h.retries);
  if (!Number.isInteger(retries) || retries < 1)
    throw new PolisError('request.invalid', `${what}.healthcheck.retries must be a whole number ≥ 1`);
  // Docker's defaults: every 30 s, 30 s to answer, 3 failures, no start period.
  return {
    exec: { command },
    initialDelaySeconds: seconds(h.start_period, '0s', `${what}.healthcheck.start_period`, 0),
    periodSeconds: seconds(h.interval, '30s', `${what}.healthcheck.interval`, 1),
    timeoutSeconds: seconds(h.timeout, '30s', `${what}.healthcheck.timeout`, 1),
    failureThreshold: retries,
  };
}

function resources(service: ComposeServiceLike, what: string): Manifest | undefined {
  const r = service.deploy?.resources;
  const out: Manifest = {};
  for (const [compose, kube] of [
    ['reservations', 'requests'],
    ['limits', 'limits'],
  ] as const) {
    const given = r?.[compose];
    if (!given) continue;
    const q: Record<string, string> = {};
    if (given.cpus !== undefined)
      q['cpu'] = cpuQuantity(given.cpus, `${what}.deploy.resources.${compose}.cpus`);
    if (given.memory !== undefined)
      q['memory'] = memoryQuantity(given.memory, `${what}.deploy.resources.${compose}.memory`);
    if (Object.keys(q).length) out[kube] = q;
  }
  return Object.keys(out).length ? out : undefined;
}

interface Mounts {
  volumeMounts: Manifest[];
  volumes: Manifest[];
}

function mounts(service: ComposeServiceLike, project: ComposeLike, what: string): Mounts {
  const result: Mounts = { volumeMounts: [], volumes: [] };
  const seen = new Set<string>();
  const add = (name: string, volume: Manifest, mountPath: string, readOnly: boolean): void => {
    if (!seen.has(name)) result.volumes.push({ name, ...volume });
    seen.add(name);
    result.volumeMounts.push({ name, mountPath, ...(readOnly ? { readOnly: true } : {}) });
  };
  const entries: ComposeVolumeMountLike[] = (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return v;
    const [source, target, mode] = v.split(':');
    if (target === undefined) return { type: 'volume', target: source }; // an anonymous volume
    const bind = /^[./~]/.test(source as string);
    return {
      type: bind ? 'bind' : 'volume',
      source,
      target,
      read_only: (mode ?? '').split(',').includes('ro'),
    };
  });
  const tmpfs =
    service.tmpfs === undefined ? [] : Array.isArray(service.tmpfs) ? service.tmpfs : [service.tmpfs];
  for (const t of tmpfs) entries.push({ type: 'tmpfs', target: String(t).split(':')[0] });
  entries.forEach((m, i) => {
    if (!m.target) throw new PolisError('request.invalid', `${what}.volumes[${i}] has no target`);
    const readOnly = m.read_only === true;
    if (m.type === 'tmpfs') add(`tmpfs-${i}`, { emptyDir: { medium: 'Memory' } }, m.target, readOnly);
    else if (m.type === 'bind') add(`bind-${i}`, { hostPath: { path: m.source } }, m.target, readOnly);
    else if (m.type === 'volume' && m.source && project.volumes && m.source in project.volumes)
      add(
        kubeName(m.source),
        { persistentVolumeClaim: { claimName: kubeName(m.source) } },
        m.target,
        readOnly,
      );
    // Anonymous volumes live as long as the container in compose; a pod's emptyDir is the same idea.
    else if (m.type === 'volume' && !m.source) add(`anonymous-${i}`, { emptyDir: {} }, m.target, readOnly);
    else
      throw new PolisError(
        'request.invalid',
        `${what}.volumes[${i}]: volume ${JSON.stringify(m.source)} is not declared in the top-level volumes`,
      );
  });
  return result;
}

function securityContext(service: ComposeServiceLike): Manifest | undefined {
  const sc: Manifest = {};
  // Only numeric users convert: a name means the image's /etc/passwd, which Kubernetes does not read.
  const m = /^(\d+)(?::(\d+))?$/.exec(service.user ?? '');
  if (m)
    Object.assign(sc, {
      runAsUser: Number(m[1]),
      ...(m[2] !== undefined ? { runAsGroup: Number(m[2]) } : {}),
    });
  // Kubernetes names capabilities without the CAP_ prefix docker accepts either way.
  const caps = (list: string[] | undefined): string[] =>
    (list ?? []).map((c) => c.toUpperCase().replace(/^CAP_/, ''));
  const add = caps(service.cap_add);
  const drop = caps(service.cap_drop);
  if (add.length || drop.length)
    sc['capabilities'] = { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) };
  if (service.privileged === true) sc['privileged'] = true;
  if (service.read_only === true) sc['readOnlyRootFilesystem'] = true;
  return Object.keys(sc).length ? sc : undefined;
}

function portName(p: PortMapping, port: number): string {
  return `${p.protocol.toLowerCase()}-${port}`;
}

/** Services other services wait for with `condition: service_completed_successfully`: one-shot jobs. */
function completedDependencies(project: ComposeLike): Set<string> {
  const jobs = new Set<string>();
  for (const s of Object.values(project.services ?? {})) {
    const deps = s?.depends_on;
    if (deps && !Array.isArray(deps))
      for (const [name, d] of Object.entries(deps))
        if (d?.condition === 'service_completed_successfully') jobs.add(name);
  }
  return jobs;
}

/**
 * A compose project (after interpolation) → Kubernetes manifests, one YAML document each: per service an
 * apps/v1 Deployment (a batch/v1 Job for a one-shot service others wait to complete) and a v1 Service when
 * it has ports or expose, and a v1 PersistentVolumeClaim per named volume. Service ports keep compose's
 * meaning inside the network (the container port answers on the service's name) and published ports are
 * offered too, on a LoadBalancer (or NodePort) Service.
 */
export function convertToKubernetes(project: ComposeLike, options: ConvertOptions = {}): string {
  const projectName = kubeName(project.name ?? options.projectName ?? 'default');
  const namespace = options.namespace === undefined ? {} : { namespace: options.namespace };
  const jobs = completedDependencies(project);
  const docs: Manifest[] = [];

  for (const [volumeName, volume] of Object.entries(project.volumes ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (volume?.external) continue; // it exists already: the claim is the cluster's business
    const what = `volume "${volumeName}"`;
    const size = volume?.['x-polis-size'];
    docs.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: kubeName(volumeName),
        ...namespace,
        labels: { 'app.kubernetes.io/part-of': projectName, 'app.kubernetes.io/managed-by': 'polis' },
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: {
          requests: {
            storage: memoryQuantity(size ?? options.defaultVolumeSize ?? '1Gi', `${what}: x-polis-size`),
          },
        },
      },
    });
  }

  for (const [serviceName, raw] of Object.entries(project.services ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const service: ComposeServiceLike = raw ?? {};
    const what = `service "${serviceName}"`;
    const name = kubeName(serviceName);
    const selector: Labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': projectName };
    const labels: Labels = {
      ...selector,
      'app.kubernetes.io/part-of': projectName,
      'app.kubernetes.io/managed-by': 'polis',
    };
    // Compose names an image it builds <project>-<service>; the cluster must be able to pull it under that name.
    const image = service.image ?? (service.build !== undefined ? `${projectName}-${name}` : undefined);
    if (!image) throw new PolisError('request.invalid', `${what} has neither image nor build`);
    const ports = parsePorts(service.ports ?? [], `${what}.ports`);
    const exposed = parsePorts(service.expose ?? [], `${what}.expose`);
    const containerPorts = new Map<string, Manifest>();
    for (const p of [...ports, ...exposed])
      containerPorts.set(`${p.target}/${p.protocol}`, { containerPort: p.target, protocol: p.protocol });
    const probeSpec = probe(service, what);
    const res = resources(service, what);
    const m = mounts(service, project, what);
    const sc = securityContext(service);
    const container: Manifest = {
      name,
      image,
      ...(service.entrypoint ? { command: words(service.entrypoint, `${what}.entrypoint`) } : {}),
      ...(service.command ? { args: words(service.command, `${what}.command`) } : {}),
      ...(service.working_dir ? { workingDir: service.working_dir } : {}),
      ...(env(service).length ? { env: env(service) } : {}),
      ...(containerPorts.size ? { ports: [...containerPorts.values()] } : {}),
      ...(res ? { resources: res } : {}),
      ...(probeSpec ? { livenessProbe: probeSpec, readinessProbe: probeSpec } : {}),
      ...(m.volumeMounts.length ? { volumeMounts: m.volumeMounts } : {}),
      ...(sc ? { securityContext: sc } : {}),
    };
    const job = jobs.has(serviceName);
    const grace =
      service.stop_grace_period === undefined
        ? undefined
        : seconds(service.stop_grace_period, '10s', `${what}.stop_grace_period`, 0);
    const podSpec: Manifest = {
      ...(job ? { restartPolicy: 'OnFailure' } : {}),
      containers: [container],
      ...(m.volumes.length ? { volumes: m.volumes } : {}),
      ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}),
    };
    const template = { metadata: { labels }, spec: podSpec };
    const metadata = { name, ...namespace, labels };
    if (job) {
      docs.push({ apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { backoffLimit: 6, template } });
    } else {
      const replicas = service.deploy?.replicas === undefined ? 1 : Number(service.deploy.replicas);
      if (!Number.isInteger(replicas) || replicas < 0)
        throw new PolisError('request.invalid', `${what}.deploy.replicas must be a whole number ≥ 0`);
      const update = service.deploy?.update_config;
      const parallelism = Math.max(1, Number(update?.parallelism ?? 1) || 1);
      const strategy = update
        ? {
            type: 'RollingUpdate',
            rollingUpdate:
              update.order === 'start-first'
                ? { maxSurge: parallelism, maxUnavailable: 0 }
                : { maxSurge: 0, maxUnavailable: parallelism },
          }
        : undefined;
      docs.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: { replicas, selector: { matchLabels: selector }, ...(strategy ? { strategy } : {}), template },
      });
      const hpa = horizontalPodAutoscaler(service, serviceName, name, metadata);
      if (hpa) docs.push(hpa);
    }

    if (ports.length || exposed.length) {
      const servicePorts = new Map<string, Manifest>();
      const nodePorts = options.publishedServiceType === 'NodePort';
      for (const p of [...ports, ...exposed]) {
        servicePorts.set(`${p.target}/${p.protocol}`, {
          name: portName(p, p.target),
          port: p.target,
          targetPort: p.target,
          protocol: p.protocol,
        });
      }
      for (const p of ports) {
        if (p.published === undefined) continue;
        const nodePort =
          nodePorts && p.published >= 30000 && p.published <= 32767 ? { nodePort: p.published } : {};
        const key = `${p.published}/${p.protocol}`;
        const existing = servicePorts.get(key);
        if (existing && existing['targetPort'] === p.target) Object.assign(existing, nodePort);
        else if (!existing)
          servicePorts.set(key, {
            name: portName(p, p.published),
            port: p.published,
            targetPort: p.target,
            protocol: p.protocol,
            ...nodePort,
          });
      }
      const type = ports.length ? (options.publishedServiceType ?? 'LoadBalancer') : 'ClusterIP';
      docs.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        spec: { type, selector, ports: [...servicePorts.values()] },
      });
    }
  }

  const header = `# Kubernetes manifests of compose project "${projectName}", written by polis compose convert\n`;
  return header + docs.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
