import { PolisError, createLogger } from '@polis/core';
import type { ProjectModel, ServiceModel, UpdateConfig } from '../compose/model.js';
import type { Autoscaler } from '../autoscale/types.js';
import type { EngineContainer } from './engine.js';
import { createBody } from './create-body.js';
import { L, configHash, containerLabels, containerName, networkLabels, volumeLabels } from './labels.js';
import type { ControllerDeps, ServiceStatus, StackRecord } from './types.js';

const log = createLogger('stacks');

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
/** A replica that stayed up this long resets its service's back-off. */
const STABLE_MS = 30_000;

interface ServiceRuntime {
  failures: number;
  /** No replacement before this time (back-off after deaths). */
  nextAttemptAt: number;
  /** No new replica before this time (back-off after failed creates or starts). */
  createRetryAt: number;
  pending?: string;
  updating?: string;
  lastError?: string;
  autoscaler?: Autoscaler;
  lastConnections?: { at: number; total: number };
}

const numberOf = (c: EngineContainer): number => Number(c.labels[L.number] ?? 0);

/**
 * Keeps every stack's services at their desired state: replica counts, replacements with back-off,
 * depends_on order, rolling updates, the balancer's backends, scheduler admission and autoscaling.
 * All state is in the store and in the containers' labels, so a restarted daemon adopts what runs.
 */
export class StackController {
  private readonly runtime = new Map<string, ServiceRuntime>();
  private readonly busy = new Map<string, Promise<void>>();
  /** `<stack>/<service>/<hash>` of configurations a rollback brought back: they roll by rollback_config. */
  private readonly rolledBack = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private lastAutoscale = 0;
  private closed = false;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: ControllerDeps) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Adopts stored stacks and starts the loop; entry points of stacks that are gone are removed. */
  async start(): Promise<void> {
    const keys = new Set(this.deps.store.list().map((s) => s.name));
    for (const key of this.deps.balancer.list()) {
      if (!keys.has(key.split('/')[0]!)) await this.deps.balancer.remove(key).catch(() => undefined);
    }
    const tick = (): void => {
      if (this.closed) return;
      void this.tick().finally(() => {
        if (!this.closed) this.timer = setTimeout(tick, this.deps.tickMs ?? 1000);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private state(stack: string, service: string): ServiceRuntime {
    const key = `${stack}/${service}`;
    let s = this.runtime.get(key);
    if (!s) {
      s = { failures: 0, nextAttemptAt: 0, createRetryAt: 0 };
      this.runtime.set(key, s);
    }
    return s;
  }

  private emit(
    stack: string,
    service: string | undefined,
    action: string,
    attributes: Record<string, string> = {},
  ): void {
    this.deps.publish({ stack, ...(service ? { service } : {}), action, attributes });
  }

  /** One pass over every stack that is not already being worked on. */
  async tick(): Promise<void> {
    const autoscale = this.now() - this.lastAutoscale >= (this.deps.autoscaleEveryMs ?? 10_000);
    if (autoscale) this.lastAutoscale = this.now();
    for (const stack of this.deps.store.list()) {
      if (this.busy.has(stack.name)) continue;
      await this.run(stack.name, false).catch((err: unknown) =>
        log.warn('reconcile', { stack: stack.name, err }),
      );
      if (autoscale) await this.autoscale(stack.name).catch((err: unknown) => log.warn('autoscale', { err }));
    }
  }

  /** Runs one pass for a stack after any pass under way; `wait` lets depends_on conditions be awaited. */
  private run(name: string, wait: boolean): Promise<void> {
    const before = this.busy.get(name) ?? Promise.resolve();
    const next = before
      .catch(() => undefined)
      .then(() => this.reconcile(name, wait))
      .finally(() => {
        if (this.busy.get(name) === next) this.busy.delete(name);
      });
    this.busy.set(name, next);
    return next;
  }

  // ---- the API's verbs ----------------------------------------------------------------------------

  /** `compose up`: stores the project (keeping each changed service's previous config) and converges. */
  async apply(
    project: ProjectModel,
    options: { scale?: Record<string, number>; removeOrphans?: boolean } = {},
  ): Promise<void> {
    const old = this.deps.store.get(project.name);
    for (const svc of Object.keys(options.scale ?? {})) {
      if (!project.services[svc]) throw new PolisError('stack.service_not_found', `no such service: ${svc}`);
    }
    const previous = { ...(old?.previous ?? {}) };
    const paused = { ...(old?.paused ?? {}) };
    for (const [name, svc] of Object.entries(project.services)) {
      const before = old?.project.services[name];
      if (before && configHash(before, old.project) !== configHash(svc, project)) {
        previous[name] = before;
        delete paused[name];
      }
    }
    const record: StackRecord = {
      name: project.name,
      project,
      previous,
      scale: { ...(old?.scale ?? {}), ...(options.scale ?? {}) },
      paused,
      stopped: false,
      updatedAt: new Date(this.now()).toISOString(),
    };
    this.deps.store.put(record);
    this.emit(project.name, undefined, old ? 'update' : 'create', {
      services: String(Object.keys(project.services).length),
    });
    if (options.removeOrphans) {
      for (const c of await this.deps.engine.containers(project.name)) {
        if (!project.services[c.labels[L.service] ?? '']) await this.removeReplica(project.name, c, 'orphan');
      }
    }
    await this.run(project.name, true);
  }

  /** `compose down`: containers, then networks, then (with -v) volumes; the stack is forgotten. */
  async remove(name: string, options: { volumes?: boolean } = {}): Promise<void> {
    const stack = this.deps.store.get(name);
    const containers = await this.deps.engine.containers(name);
    if (!stack && containers.length === 0) throw new PolisError('stack.not_found', `no such stack: ${name}`);
    this.deps.store.delete(name);
    await this.busy.get(name)?.catch(() => undefined);
    for (const c of await this.deps.engine.containers(name)) await this.removeReplica(name, c, 'down');
    if (stack) {
      for (const svc of Object.values(stack.project.services)) {
        for (const p of svc.ports)
          await this.deps.balancer.remove(balancerKey(name, svc.name, p.target)).catch(() => undefined);
      }
      for (const n of Object.values(stack.project.networks)) {
        if (!n.external) await this.deps.engine.removeNetwork(n.name);
      }
      if (options.volumes) {
        for (const v of Object.values(stack.project.volumes))
          if (!v.external) await this.deps.engine.removeVolume(v.name);
      }
    }
    for (const key of [...this.runtime.keys()]) if (key.startsWith(`${name}/`)) this.runtime.delete(key);
    this.emit(name, undefined, 'remove');
  }

  async scale(name: string, service: string, replicas: number): Promise<void> {
    const stack = this.mustGet(name, service);
    stack.scale[service] = replicas;
    this.deps.store.put(stack);
    this.emit(name, service, 'scale', { replicas: String(replicas), reason: 'user' });
    await this.run(name, false);
  }

  /**
   * `polis service autoscale`: the service's `x-polis-autoscale` replaced (or removed with undefined) in the
   * stored project, checked by the same parser as at load; replicas are not recreated (not in the hash),
   * and the autoscaler starts afresh with the new policy. A later `compose up` puts the file's back.
   */
  async setAutoscale(name: string, service: string, raw: Record<string, unknown> | undefined): Promise<void> {
    const stack = this.mustGet(name, service);
    const svc = stack.project.services[service]!;
    const policy =
      raw === undefined
        ? undefined
        : this.deps.autoscalePolicy?.({ ...svc, extensions: { 'x-polis-autoscale': raw } });
    const { 'x-polis-autoscale': _old, ...rest } = svc.extensions;
    svc.extensions = raw === undefined ? rest : { ...rest, 'x-polis-autoscale': raw };
    // A new range applies at once: the count moves into it without waiting for a decision.
    const current = this.desiredOf(stack, svc);
    if (policy && (current < policy.min || current > policy.max))
      stack.scale[service] = Math.max(policy.min, Math.min(policy.max, current));
    this.deps.store.put(stack);
    delete this.state(name, service).autoscaler;
    this.emit(name, service, 'autoscale-policy', {
      policy: raw === undefined ? 'none' : JSON.stringify(raw),
      reason: 'user',
    });
    await this.run(name, false);
  }

  /** `compose rollback SERVICE`: the previous configuration comes back, by the rollback_config. */
  async rollback(name: string, service: string, reason = 'user'): Promise<void> {
    const stack = this.mustGet(name, service);
    const previous = stack.previous[service];
    if (!previous)
      throw new PolisError('stack.no_previous', `service ${service} has no previous configuration`);
    stack.previous[service] = stack.project.services[service]!;
    stack.project.services[service] = previous;
    delete stack.paused[service];
    this.rolledBack.add(`${name}/${service}/${configHash(previous, stack.project)}`);
    this.deps.store.put(stack);
    this.emit(name, service, 'rollback', { reason });
    if (reason === 'user') await this.run(name, false);
  }

  /** `compose stop` / `start`: a stopped stack keeps its containers, stopped, and is not reconciled. */
  async setStopped(name: string, stopped: boolean): Promise<void> {
    const stack = this.mustGet(name);
    stack.stopped = stopped;
    this.deps.store.put(stack);
    await this.busy.get(name)?.catch(() => undefined);
    if (stopped) {
      for (const c of await this.deps.engine.containers(name)) {
        const svc = stack.project.services[c.labels[L.service] ?? ''];
        if (c.running) await this.deps.engine.stop(c.id, Math.ceil(svc?.stopGracePeriodS ?? 10));
      }
      this.emit(name, undefined, 'stop');
    } else {
      this.emit(name, undefined, 'start');
      await this.run(name, true);
    }
  }

  async status(name: string): Promise<ServiceStatus[]> {
    const stack = this.deps.store.get(name);
    const containers = await this.deps.engine.containers(name);
    if (!stack && containers.length === 0) throw new PolisError('stack.not_found', `no such stack: ${name}`);
    const services = stack ? Object.values(stack.project.services) : [];
    return services.map((svc) => {
      const mine = containers.filter(
        (c) => c.labels[L.service] === svc.name && c.labels[L.oneoff] !== 'True',
      );
      const hash = configHash(svc, stack!.project);
      const rt = this.state(name, svc.name);
      return {
        service: svc.name,
        desired: stack!.scale[svc.name] ?? svc.replicas,
        running: mine.filter((c) => c.running).length,
        healthy: mine.filter((c) => c.running && (c.health === undefined || c.health === 'healthy')).length,
        ...(rt.pending ? { pending: rt.pending } : {}),
        ...(rt.updating ? { updating: rt.updating } : {}),
        ...(stack!.paused[svc.name] ? { paused: stack!.paused[svc.name] } : {}),
        ...(rt.lastError ? { lastError: rt.lastError } : {}),
        containers: mine
          .sort((a, b) => numberOf(a) - numberOf(b))
          .map((c) => ({
            id: c.id,
            name: c.name,
            number: numberOf(c),
            status: c.status,
            ...(c.health ? { health: c.health } : {}),
            exitCode: c.exitCode,
            current: c.labels[L.hash] === hash,
          })),
      };
    });
  }

  private mustGet(name: string, service?: string): StackRecord {
    const stack = this.deps.store.get(name);
    if (!stack) throw new PolisError('stack.not_found', `no such stack: ${name}`);
    if (service !== undefined && !stack.project.services[service]) {
      throw new PolisError('stack.service_not_found', `no such service: ${service}`);
    }
    return stack;
  }

  // ---- reconciliation -----------------------------------------------------------------------------

  private async reconcile(name: string, wait: boolean): Promise<void> {
    const stack = this.deps.store.get(name);
    if (!stack || stack.stopped) return;
    const { project } = stack;
    for (const [key, n] of Object.entries(project.networks)) {
      if (n.external) continue;
      await this.deps.engine.ensureNetwork(n.name, {
        Driver: n.driver ?? 'bridge',
        Internal: n.internal,
        Labels: networkLabels(project.name, key, n.labels),
      });
    }
    for (const [key, v] of Object.entries(project.volumes)) {
      if (v.external) continue;
      await this.deps.engine.ensureVolume(v.name, {
        Driver: v.driver ?? 'local',
        Labels: volumeLabels(project.name, key, v.labels),
      });
    }
    for (const wanted of dependencyOrder(project)) {
      if (this.deps.store.get(name) === undefined) return;
      // A paused update keeps serving, and refilling, with the configuration that last worked.
      const svc = stack.paused[wanted.name] ? (stack.previous[wanted.name] ?? wanted) : wanted;
      await this.reconcileService(stack, svc, wait);
    }
  }

  private async dependencyProblem(
    stack: StackRecord,
    svc: ServiceModel,
    wait: boolean,
  ): Promise<string | undefined> {
    const deadline = this.now() + (wait ? 120_000 : 0);
    for (;;) {
      const all = await this.deps.engine.containers(stack.name);
      let problem: string | undefined;
      for (const [dep, condition] of Object.entries(svc.dependsOn)) {
        const mine = all.filter((c) => c.labels[L.service] === dep && c.labels[L.oneoff] !== 'True');
        const started = mine.some((c) => c.running || c.status === 'exited');
        const ok =
          condition === 'service_started'
            ? started
            : condition === 'service_healthy'
              ? mine.some((c) => c.running) &&
                mine.every((c) => !c.running || c.health === undefined || c.health === 'healthy')
              : mine.length > 0 && mine.every((c) => c.status === 'exited' && c.exitCode === 0);
        if (!ok) {
          const failed =
            condition === 'service_completed_successfully' &&
            mine.some((c) => c.status === 'exited' && c.exitCode !== 0);
          problem = failed
            ? `dependency ${dep} did not complete successfully`
            : `waiting for ${dep} (${condition})`;
          if (failed) return problem;
          break;
        }
      }
      if (!problem || this.now() >= deadline) return problem;
      await this.sleep(250);
    }
  }

  private desiredOf(stack: StackRecord, svc: ServiceModel): number {
    return stack.scale[svc.name] ?? svc.replicas;
  }

  /** The balancer owns a service's published ports when it may run more than one replica. */
  private balanced(stack: StackRecord, svc: ServiceModel): boolean {
    if (svc.ports.every((p) => p.published === undefined)) return false;
    return this.desiredOf(stack, svc) > 1 || svc.extensions['x-polis-autoscale'] !== undefined;
  }

  private async reconcileService(stack: StackRecord, svc: ServiceModel, wait: boolean): Promise<void> {
    const rt = this.state(stack.name, svc.name);
    const hash = configHash(svc, stack.project);
    const desired = this.desiredOf(stack, svc);
    let mine = (await this.deps.engine.containers(stack.name)).filter(
      (c) => c.labels[L.service] === svc.name && c.labels[L.oneoff] !== 'True',
    );
    const problem = await this.dependencyProblem(stack, svc, wait);
    // Replicas that died or stay unhealthy are replaced, as their restart policy allows.
    for (const c of mine) {
      const exited = !c.running && c.status !== 'created';
      const replace =
        (exited &&
          (svc.restart === 'always' ||
            svc.restart === 'unless-stopped' ||
            (svc.restart === 'on-failure' && c.exitCode !== 0))) ||
        (c.running && c.health === 'unhealthy' && svc.restart !== 'no');
      if (exited && c.exitCode !== 0) rt.lastError = `${c.name} exited with code ${c.exitCode}`;
      if (c.running && c.health === 'unhealthy') rt.lastError = `${c.name} is unhealthy`;
      if (c.running && this.now() - Date.parse(c.startedAt) > STABLE_MS && c.health !== 'unhealthy')
        rt.failures = 0;
      if (!replace) continue;
      if (this.now() < rt.nextAttemptAt) continue;
      rt.failures++;
      rt.nextAttemptAt = this.now() + Math.min(BACKOFF_BASE_MS * 2 ** (rt.failures - 1), BACKOFF_MAX_MS);
      await this.removeReplica(stack.name, c, 'replace');
      this.emit(stack.name, svc.name, 'replace', {
        container: c.name,
        reason: exited ? `exited with code ${c.exitCode}` : 'unhealthy',
        backoff_ms: String(rt.nextAttemptAt - this.now()),
      });
      mine = mine.filter((m) => m.id !== c.id);
    }
    // Created but never started (a daemon killed between create and start): start them now.
    for (const c of mine.filter((m) => m.status === 'created')) {
      if (!problem) await this.deps.engine.start(c.id).catch((err: unknown) => (rt.lastError = String(err)));
    }
    if (mine.length > desired) {
      const extra = [...mine].sort((a, b) => numberOf(b) - numberOf(a)).slice(0, mine.length - desired);
      for (const c of extra) await this.removeReplica(stack.name, c, 'scale');
      mine = mine.filter((m) => !extra.includes(m));
      this.emit(stack.name, svc.name, 'scale', {
        from: String(mine.length + extra.length),
        to: String(desired),
      });
    }
    if (problem) {
      if (rt.pending !== problem) this.emit(stack.name, svc.name, 'pending', { reason: problem });
      rt.pending = problem;
    } else if (mine.length < desired && this.now() >= rt.createRetryAt) {
      rt.pending = undefined;
      for (let i = mine.length; i < desired; i++) {
        const made = await this.startReplica(stack, svc, hash, mine);
        if (!made) break;
        mine.push(made);
      }
    } else if (mine.length >= desired) rt.pending = undefined;
    const stale = mine.filter((c) => c.labels[L.hash] !== hash);
    if (stale.length > 0 && !problem && !stack.paused[svc.name])
      await this.rollout(stack, svc, hash, stale, mine);
    await this.updateBalancer(stack, svc);
  }

  private freeNumber(used: EngineContainer[]): number {
    const taken = new Set(used.map(numberOf));
    let n = 1;
    while (taken.has(n)) n++;
    return n;
  }

  /** Admission, create, connect, start: one new replica, or undefined (pending, with the reason kept). */
  private async startReplica(
    stack: StackRecord,
    svc: ServiceModel,
    hash: string,
    used: EngineContainer[],
  ): Promise<EngineContainer | undefined> {
    const rt = this.state(stack.name, svc.name);
    const n = this.freeNumber(used);
    const key = `${stack.name}/${svc.name}/${n}`;
    const request = {
      key,
      reservation: {
        cpus: svc.resources.reservations.cpus ?? 0,
        memoryBytes: svc.resources.reservations.memoryBytes ?? 0,
        priority: Number(svc.extensions['x-polis-priority'] ?? 0),
        exclusiveCpus: svc.extensions['x-polis-exclusive-cpus'] === true,
      },
    };
    let admission = this.deps.scheduler.admit(request);
    if (!admission.admitted && admission.preempt?.length) {
      // The host is full of lower-priority replicas: those the scheduler names are stopped gracefully
      // (drained first) and stay pending in their own service; then this one is admitted.
      await this.preempt(admission.preempt, key);
      admission = this.deps.scheduler.admit(request);
    }
    if (!admission.admitted) {
      if (rt.pending !== admission.reason)
        this.emit(stack.name, svc.name, 'pending', { reason: admission.reason, replica: String(n) });
      rt.pending = admission.reason;
      return undefined;
    }
    const name = containerName(stack.name, svc.name, n);
    const body = createBody(stack.project, svc, containerLabels(stack.project, svc, n, hash), {
      balanced: this.balanced(stack, svc),
      ...(admission.cpuset ? { cpuset: admission.cpuset } : {}),
    });
    let id: string | undefined;
    try {
      id = await this.deps.engine.create(name, body);
      for (const key2 of Object.keys(svc.networks).slice(1)) {
        await this.deps.engine.connect(id, stack.project.networks[key2]!.name, [
          svc.name,
          ...svc.networks[key2]!.aliases,
        ]);
      }
      await this.deps.engine.start(id);
    } catch (err) {
      this.deps.scheduler.release(key);
      rt.lastError = err instanceof Error ? err.message : String(err);
      rt.failures++;
      rt.createRetryAt = this.now() + Math.min(BACKOFF_BASE_MS * 2 ** (rt.failures - 1), BACKOFF_MAX_MS);
      if (id) await this.deps.engine.remove(id).catch(() => undefined);
      this.emit(stack.name, svc.name, 'error', { replica: String(n), error: rt.lastError });
      return undefined;
    }
    this.emit(stack.name, svc.name, 'start', { container: name, replica: String(n) });
    const made = (await this.deps.engine.containers(stack.name)).find((c) => c.id === id);
    return (
      made ?? {
        id,
        name,
        labels: body['Labels'] as Record<string, string>,
        status: 'running',
        running: true,
        exitCode: 0,
        startedAt: '',
        ips: {},
      }
    );
  }

  /** Removes the replicas with these scheduler keys (`<stack>/<service>/<number>`) to make room for `by`. */
  private async preempt(keys: readonly string[], by: string): Promise<void> {
    for (const victim of keys) {
      const [stack = '', service = '', number = ''] = victim.split('/');
      const c = (await this.deps.engine.containers(stack)).find(
        (x) => x.labels[L.service] === service && String(numberOf(x)) === number,
      );
      if (!c) {
        this.deps.scheduler.release(victim);
        continue;
      }
      this.emit(stack, service, 'preempt', { container: c.name, by });
      this.state(stack, service).lastError = `${c.name} preempted by ${by}, which has a higher priority`;
      await this.removeReplica(stack, c, 'preempted');
    }
  }

  /** Out of the balancer first (draining), then stopped and removed; its reservation is freed. */
  private async removeReplica(stack: string, c: EngineContainer, why: string): Promise<void> {
    const service = c.labels[L.service] ?? '';
    const svc = this.deps.store.get(stack)?.project.services[service];
    for (const p of svc?.ports ?? []) {
      await this.deps.balancer
        .drain(balancerKey(stack, service, p.target), c.id, 5000)
        .catch(() => undefined);
    }
    if (c.running)
      await this.deps.engine.stop(c.id, Math.ceil(svc?.stopGracePeriodS ?? 10)).catch(() => undefined);
    await this.deps.engine.remove(c.id);
    this.deps.scheduler.release(`${stack}/${service}/${numberOf(c)}`);
    log.debug('replica removed', { stack, container: c.name, why });
  }

  private async updateBalancer(stack: StackRecord, svc: ServiceModel): Promise<void> {
    if (!this.balanced(stack, svc)) return;
    const netKey = Object.keys(svc.networks)[0];
    const network = netKey ? stack.project.networks[netKey]!.name : '';
    const live = (await this.deps.engine.containers(stack.name)).filter(
      (c) =>
        c.labels[L.service] === svc.name && c.running && (c.health === undefined || c.health === 'healthy'),
    );
    for (const p of svc.ports) {
      if (p.published === undefined) continue;
      await this.deps.balancer.setBackends(
        balancerKey(stack.name, svc.name, p.target),
        { hostIp: p.hostIp ?? '', hostPort: p.published, protocol: p.protocol },
        live
          .filter((c) => c.ips[network])
          .map((c) => ({ containerId: c.id, ip: c.ips[network]!, port: p.target })),
      );
    }
  }

  // ---- rolling updates ----------------------------------------------------------------------------

  private async rollout(
    stack: StackRecord,
    svc: ServiceModel,
    hash: string,
    stale: EngineContainer[],
    mine: EngineContainer[],
  ): Promise<void> {
    const rt = this.state(stack.name, svc.name);
    if (svc.restart === 'no' && svc.healthcheck === undefined) {
      // A job (seed, migration): the old run is replaced by a new one, nothing to keep serving.
      for (const old of stale) await this.removeReplica(stack.name, old, 'update');
      return;
    }
    const rollingBack = stack.previous[svc.name] !== undefined && this.isRollback(stack, svc);
    const cfg: UpdateConfig = rollingBack ? svc.rollbackConfig : svc.updateConfig;
    const size = cfg.parallelism <= 0 ? stale.length : cfg.parallelism;
    const used = [...mine];
    this.emit(stack.name, svc.name, 'update-start', {
      replicas: String(stale.length),
      order: cfg.order,
      parallelism: String(size),
    });
    for (let i = 0; i < stale.length; i += size) {
      const batch = stale.slice(i, i + size);
      rt.updating = `batch ${i / size + 1} of ${Math.ceil(stale.length / size)}`;
      const made: EngineContainer[] = [];
      if (cfg.order === 'stop-first') {
        for (const old of batch) await this.removeReplica(stack.name, old, 'update');
        for (const old of batch) used.splice(used.indexOf(old), 1);
      }
      for (let k = 0; k < batch.length; k++) {
        const c = await this.startReplica(stack, svc, hash, used);
        if (c) {
          made.push(c);
          used.push(c);
        }
      }
      const failure =
        made.length < batch.length
          ? 'could not start a new replica'
          : await this.watch(stack.name, svc, made, cfg);
      if (failure) {
        rt.updating = undefined;
        rt.lastError = `update failed: ${failure}`;
        this.emit(stack.name, svc.name, 'update-failed', { reason: failure, action: cfg.failureAction });
        if (cfg.failureAction === 'continue') continue;
        for (const c of made) await this.removeReplica(stack.name, c, 'failed update');
        const fresh = this.deps.store.get(stack.name);
        if (!fresh) return;
        if (cfg.failureAction === 'rollback' && !rollingBack && fresh.previous[svc.name]) {
          await this.rollback(stack.name, svc.name, `update failed: ${failure}`);
        } else {
          fresh.paused[svc.name] = failure;
          this.deps.store.put(fresh);
          this.emit(stack.name, svc.name, 'update-paused', { reason: failure });
        }
        return;
      }
      if (cfg.order === 'start-first')
        for (const old of batch) await this.removeReplica(stack.name, old, 'update');
      await this.updateBalancer(stack, svc);
      if (cfg.delayMs > 0 && i + size < stale.length) await this.sleep(cfg.delayMs);
    }
    rt.updating = undefined;
    this.emit(stack.name, svc.name, 'update-done', { replicas: String(stale.length) });
  }

  /** A rollback is under way when the service now equals what was there before its last change. */
  private isRollback(stack: StackRecord, svc: ServiceModel): boolean {
    const prev = stack.previous[svc.name];
    return (
      prev !== undefined &&
      stack.paused[svc.name] === undefined &&
      this.rolledBack.has(`${stack.name}/${svc.name}/${configHash(svc, stack.project)}`)
    );
  }

  /** Healthy (or, without a healthcheck, still running after the monitor window); a reason when not. */
  private async watch(
    stack: string,
    svc: ServiceModel,
    made: EngineContainer[],
    cfg: UpdateConfig,
  ): Promise<string | undefined> {
    const h = svc.healthcheck;
    const hasHealth = h !== undefined && !h.disable && h.test[0] !== 'NONE';
    const budget = hasHealth
      ? ((h.startPeriodNs ?? 0) + ((h.intervalNs ?? 30e9) + (h.timeoutNs ?? 30e9)) * ((h.retries ?? 3) + 1)) /
        1e6
      : cfg.monitorMs;
    const deadline = this.now() + Math.max(budget, cfg.monitorMs);
    const start = this.now();
    for (;;) {
      const all = await this.deps.engine.containers(stack);
      const states = made.map((m) => all.find((c) => c.id === m.id));
      const gone = states.find((c) => !c || !c.running);
      if (gone) return `${gone?.name ?? 'a new replica'} exited${gone ? ` with code ${gone.exitCode}` : ''}`;
      const sick = states.find((c) => c!.health === 'unhealthy');
      if (sick) return `${sick.name} is unhealthy`;
      if (hasHealth && states.every((c) => c!.health === 'healthy')) return undefined;
      if (!hasHealth && this.now() - start >= cfg.monitorMs) return undefined;
      if (this.now() >= deadline) return 'new replicas did not become healthy in time';
      await this.sleep(200);
    }
  }

  // ---- autoscaling --------------------------------------------------------------------------------

  private async autoscale(name: string): Promise<void> {
    const stack = this.deps.store.get(name);
    if (!stack || stack.stopped || !this.deps.autoscalePolicy) return;
    const all = await this.deps.engine.containers(name);
    for (const svc of Object.values(stack.project.services)) {
      const policy = this.deps.autoscalePolicy(svc);
      if (!policy) continue;
      const rt = this.state(name, svc.name);
      rt.autoscaler ??= this.deps.autoscaler(policy);
      const running = all.filter((c) => c.labels[L.service] === svc.name && c.running);
      const samples = running.map((c) => this.deps.sample?.(c.id)).filter((s) => s !== undefined);
      const mean = (
        f: (s: { cpuPercent?: number; memoryPercent?: number }) => number | undefined,
      ): number | undefined => {
        const values = samples.map(f).filter((v): v is number => v !== undefined);
        return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
      };
      let requestsPerSecond: number | undefined;
      const port = svc.ports.find((p) => p.published !== undefined);
      if (port) {
        const counters = await this.deps.balancer.counters(balancerKey(name, svc.name, port.target));
        const total = counters.reduce((a, c) => a + c.connections, 0);
        const at = this.now();
        if (rt.lastConnections && at > rt.lastConnections.at) {
          requestsPerSecond =
            Math.max(0, (total - rt.lastConnections.total) / ((at - rt.lastConnections.at) / 1000)) /
            Math.max(1, running.length);
        }
        rt.lastConnections = { at, total };
      }
      const cpu = mean((s) => s.cpuPercent);
      const memory = mean((s) => s.memoryPercent);
      rt.autoscaler.observe({
        at: this.now(),
        replicas: running.length,
        ...(cpu !== undefined ? { cpuPercent: cpu } : {}),
        ...(memory !== undefined ? { memoryPercent: memory } : {}),
        ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
      });
      const decision = rt.autoscaler.decide(this.now());
      if (!decision || decision.to === this.desiredOf(stack, svc)) continue;
      stack.scale[svc.name] = Math.max(policy.min, Math.min(policy.max, decision.to));
      this.deps.store.put(stack);
      this.emit(name, svc.name, 'autoscale', {
        from: String(decision.from),
        to: String(stack.scale[svc.name]),
        reason: decision.reason,
        metric: decision.metric,
        value: String(decision.value),
        target: String(decision.target),
      });
    }
  }
}

export function balancerKey(stack: string, service: string, port: number): string {
  return `${stack}/${service}/${port}`;
}

/** Services with their dependencies first. */
export function dependencyOrder(project: ProjectModel): ServiceModel[] {
  const out: ServiceModel[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const dep of Object.keys(project.services[name]?.dependsOn ?? {})) visit(dep);
    const svc = project.services[name];
    if (svc) out.push(svc);
  };
  for (const name of Object.keys(project.services)) visit(name);
  return out;
}
