import net from 'node:net';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PolisError, createLogger } from '@polis/core';
import { forgetFlows, openTo, readConntrack } from './conntrack.js';
import { checkTable, dropTable, nftApply, nftUsable, readCounters } from './nft.js';
import { ProxyFrontend } from './proxy.js';
import {
  backendTag,
  renderServiceChange,
  renderServiceRemoval,
  renderTable,
  serviceChain,
  type KernelService,
} from './render.js';
import { BalancerState, type ServiceRecord } from './state.js';
import type { BalancerBackend, BalancerCounters, BalancerFrontend, ServiceBalancer } from './types.js';
import { addVipAddress, removeVipAddress } from './vip-address.js';

const log = createLogger('balancer');

export interface BalancerOptions {
  /** polisd's exec root (run-time state such as a proxy's sockets or pid files). */
  execRoot: string;
  /**
   * The nftables table of the kernel path: `polis_lb` for the default exec root, `polis_lb_<8 hex of the
   * exec root>` otherwise (test daemons side by side). Tests pass their own.
   */
  table?: string;
  /** Never use the kernel path (everything through the userspace proxy). */
  disableKernel?: boolean;
  /** How often draining looks at the kernel's connection table (ms). Default 200. */
  drainPollMs?: number;
}

export function balancerTable(execRoot: string): string {
  if (execRoot === '/run/polis') return 'polis_lb';
  return `polis_lb_${createHash('sha256').update(execRoot).digest('hex').slice(0, 8)}`;
}

function validate(key: string, f: BalancerFrontend, backends: readonly BalancerBackend[]): void {
  const bad = (why: string): never => {
    throw new PolisError('network.invalid', `load balancer ${key}: ${why}`);
  };
  if (key === '') bad('empty service key');
  if (f.protocol !== 'tcp' && f.protocol !== 'udp') bad(`unknown protocol ${String(f.protocol)}`);
  if (!Number.isInteger(f.hostPort) || f.hostPort < 1 || f.hostPort > 65535)
    bad(`bad host port ${f.hostPort}`);
  if (f.hostIp !== '' && net.isIP(f.hostIp) === 0) bad(`bad host address ${f.hostIp}`);
  if (f.vipBridge !== undefined && (net.isIPv4(f.hostIp) === false || !/^[\w.-]{1,15}$/.test(f.vipBridge))) {
    bad('a VIP needs an IPv4 address and its bridge');
  }
  const ids = new Set<string>();
  for (const b of backends) {
    if (!net.isIPv4(b.ip)) bad(`backend ${b.containerId} has no IPv4 address (${b.ip})`);
    if (!Number.isInteger(b.port) || b.port < 1 || b.port > 65535) bad(`backend ${b.containerId}: bad port`);
    if (ids.has(b.containerId)) bad(`backend ${b.containerId} twice`);
    ids.add(b.containerId);
  }
}

const sameFrontend = (a: BalancerFrontend, b: BalancerFrontend): boolean =>
  a.hostIp === b.hostIp &&
  a.hostPort === b.hostPort &&
  a.protocol === b.protocol &&
  a.algorithm === b.algorithm &&
  a.vipBridge === b.vipBridge;

const samePort = (a: BalancerFrontend, b: BalancerFrontend): boolean =>
  a.hostIp === b.hostIp && a.hostPort === b.hostPort && a.protocol === b.protocol;

const kernelView = (r: ServiceRecord): KernelService => ({
  id: r.id,
  frontend: r.frontend,
  backends: r.backends,
});

/**
 * The service load balancer (see docs/architecture.md, "Service load balancing"): nftables where the
 * kernel path can serve a frontend, a userspace proxy where it cannot (nft unusable, an IPv6 frontend,
 * least connections, or `mode: 'proxy'`). Every change is queued, so the record and the table move
 * together; drains wait outside the queue.
 */
export class Balancer implements ServiceBalancer {
  private readonly table: string;
  private readonly state: BalancerState;
  /** Per entry point its listener: the proxy itself, or (kernel path) the holder of its port. */
  private readonly proxies = new Map<string, ProxyFrontend>();
  private queue: Promise<unknown> = Promise.resolve();
  private ready: Promise<void> | undefined;
  /** Whether the kernel table exists: it is made with the first kernel entry point, dropped with the last. */
  private tableUp = false;

  constructor(private readonly options: BalancerOptions) {
    this.table = options.table ?? balancerTable(options.execRoot);
    checkTable(this.table);
    this.state = new BalancerState(join(options.execRoot, 'balancer', `${this.table}.json`));
  }

  list(): string[] {
    return [...this.state.services.keys()];
  }

  modeOf(serviceKey: string): 'kernel' | 'proxy' | undefined {
    return this.state.services.get(serviceKey)?.mode;
  }

  async setBackends(
    serviceKey: string,
    frontend: BalancerFrontend,
    backends: BalancerBackend[],
  ): Promise<void> {
    validate(serviceKey, frontend, backends);
    await this.serial(async () => {
      const mode = await this.modeFor(frontend);
      let before = this.state.services.get(serviceKey);
      if (
        before &&
        (before.mode !== mode || (before.mode === 'proxy' && !sameFrontend(before.frontend, frontend)))
      ) {
        await this.removeNow(serviceKey);
        before = undefined;
      }
      const id = serviceChain(serviceKey);
      const after: ServiceRecord = {
        mode,
        id,
        frontend: { ...frontend },
        backends: backends.map((b) => ({
          containerId: b.containerId,
          ip: b.ip,
          port: b.port,
          tag: backendTag(id, b.containerId),
        })),
        draining: [],
      };
      const inSet = new Set(after.backends.map((b) => b.tag));
      after.draining = (before?.draining ?? []).filter((b) => !inSet.has(b.tag));
      const vipAdded = frontend.vipBridge !== undefined && before?.frontend.hostIp !== frontend.hostIp;
      if (frontend.vipBridge) await addVipAddress(frontend.vipBridge, frontend.hostIp);
      const held = this.proxies.get(serviceKey);
      // Kernel path: a listener with no backends holds the port, so Polis's port probe and any other
      // program see it taken (the DNAT runs first, so it gets nothing while there are replicas; with
      // none the service chain refuses). The proxy path's listener is the proxy itself.
      const opened = held && samePort(held.frontend, frontend) ? undefined : new ProxyFrontend(frontend);
      try {
        await opened?.listen();
        if (mode === 'kernel') {
          const keep = new Set((before?.draining ?? []).map((b) => b.tag));
          const script = this.tableUp
            ? renderServiceChange(this.table, before && kernelView(before), kernelView(after), keep)
            : renderTable(this.table, [kernelView(after)]);
          await nftApply(this.table, script, `setting the backends of ${serviceKey}`);
          this.tableUp = true;
        }
      } catch (err) {
        await opened?.close();
        if (vipAdded) await removeVipAddress(frontend.vipBridge!, frontend.hostIp).catch(() => undefined);
        throw err;
      }
      if (opened) {
        await held?.close();
        this.proxies.set(serviceKey, opened);
      }
      if (mode === 'proxy') this.proxies.get(serviceKey)!.setBackends(backends);
      const oldVip = before?.frontend.vipBridge;
      if (oldVip && (oldVip !== frontend.vipBridge || before!.frontend.hostIp !== frontend.hostIp)) {
        await removeVipAddress(oldVip, before!.frontend.hostIp);
      }
      this.state.services.set(serviceKey, after);
      this.state.save();
      if (mode === 'kernel') {
        const left = (before?.backends ?? []).filter((b) => !inSet.has(b.tag));
        for (const b of left) await this.forget(after, b, 'idle');
      }
    });
  }

  /** Drops the kernel's stale entries of connections to a backend that left (see `forgetFlows`). */
  private async forget(rec: ServiceRecord, b: BalancerBackend, which: 'idle' | 'all'): Promise<void> {
    const n = await forgetFlows(rec.frontend.protocol, rec.frontend.hostPort, b, which).catch(
      (err: unknown) => {
        log.warn('could not drop stale conntrack entries', { error: err });
        return 0;
      },
    );
    if (n > 0) log.debug('stale connections forgotten', { backend: b.containerId, entries: n, which });
  }

  async drain(serviceKey: string, containerId: string, timeoutMs: number): Promise<void> {
    const rec = this.state.services.get(serviceKey);
    // Nothing to drain: the entry point (or the backend, below) is gone already.
    if (!rec) return;
    if (rec.mode === 'proxy') {
      await this.serial(async () => {
        rec.backends = rec.backends.filter((b) => b.containerId !== containerId);
        this.state.save();
      });
      await this.proxies.get(serviceKey)?.drain(containerId, timeoutMs);
      return;
    }
    const leaving = await this.serial(async () => {
      const cur = this.state.services.get(serviceKey);
      const b = cur?.backends.find((x) => x.containerId === containerId);
      if (!cur || !b) return undefined;
      const after: ServiceRecord = {
        ...cur,
        backends: cur.backends.filter((x) => x !== b),
        draining: [...cur.draining.filter((x) => x.tag !== b.tag), b],
      };
      const keep = new Set(after.draining.map((x) => x.tag));
      const script = renderServiceChange(this.table, kernelView(cur), kernelView(after), keep);
      await nftApply(this.table, script, `draining ${containerId} of ${serviceKey}`);
      this.state.services.set(serviceKey, after);
      this.state.save();
      return b;
    });
    if (!leaving) return;
    const deadline = Date.now() + timeoutMs;
    const poll = this.options.drainPollMs ?? 200;
    for (;;) {
      const flows = await readConntrack({ port: rec.frontend.hostPort, ip: leaving.ip });
      // Without a view of the kernel's connections, the only safe wait is the whole timeout.
      if (flows && openTo(flows, rec.frontend.protocol, rec.frontend.hostPort, leaving) === 0) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise((r) => setTimeout(r, Math.min(poll, left)));
    }
    await this.serial(async () => {
      const cur = this.state.services.get(serviceKey);
      if (!cur || !cur.draining.some((x) => x.tag === leaving.tag)) return;
      if (!cur.backends.some((x) => x.tag === leaving.tag)) {
        await nftApply(this.table, `delete counter ip ${this.table} ${leaving.tag}\n`, 'ending a drain');
      }
      cur.draining = cur.draining.filter((x) => x.tag !== leaving.tag);
      this.state.save();
      // What is still open is cut now anyway (the replica stops next); what is closed must not be reused.
      if (!cur.backends.some((x) => x.tag === leaving.tag)) await this.forget(cur, leaving, 'all');
    });
  }

  async counters(serviceKey: string): Promise<BalancerCounters[]> {
    const rec = this.state.services.get(serviceKey);
    if (!rec) return [];
    if (rec.mode === 'proxy') return this.proxies.get(serviceKey)?.counters() ?? [];
    await this.ensureReady();
    const [counts, flows] = await Promise.all([
      readCounters(this.table),
      readConntrack({ port: rec.frontend.hostPort }),
    ]);
    return [...rec.backends, ...rec.draining].map((b) => ({
      containerId: b.containerId,
      connections: counts.get(b.tag)?.packets ?? 0,
      active: flows ? openTo(flows, rec.frontend.protocol, rec.frontend.hostPort, b) : undefined,
    }));
  }

  remove(serviceKey: string): Promise<void> {
    return this.serial(() => this.removeNow(serviceKey));
  }

  async close(): Promise<void> {
    const all = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(all.map((p) => p.close()));
  }

  /** Deletes the whole table and forgets every entry point (tests, and a host cleaning up after Polis). */
  async destroy(): Promise<void> {
    await this.serial(async () => {
      for (const key of [...this.state.services.keys()]) await this.removeNow(key);
      if (await nftUsable()) await dropTable(this.table);
      this.tableUp = false;
    });
  }

  private async removeNow(serviceKey: string): Promise<void> {
    const rec = this.state.services.get(serviceKey);
    if (!rec) return;
    if (rec.mode === 'kernel') {
      const others = [...this.state.services].some(([k, r]) => k !== serviceKey && r.mode === 'kernel');
      if (others) {
        const counters = rec.draining.map((b) => b.tag);
        await nftApply(
          this.table,
          renderServiceRemoval(this.table, kernelView(rec), counters),
          `removing ${serviceKey}`,
        );
      } else {
        await dropTable(this.table);
        this.tableUp = false;
      }
    }
    for (const b of rec.mode === 'kernel' ? [...rec.backends, ...rec.draining] : []) {
      await this.forget(rec, b, 'all');
    }
    await this.proxies.get(serviceKey)?.close();
    this.proxies.delete(serviceKey);
    if (rec.frontend.vipBridge) await removeVipAddress(rec.frontend.vipBridge, rec.frontend.hostIp);
    this.state.services.delete(serviceKey);
    this.state.save();
  }

  private async modeFor(f: BalancerFrontend): Promise<'kernel' | 'proxy'> {
    const kernelCan = !this.options.disableKernel && net.isIPv4(f.hostIp || '0.0.0.0') && (await nftUsable());
    const wantsProxy = f.mode === 'proxy' || f.algorithm === 'least-connections';
    if (f.mode === 'kernel' && (!kernelCan || f.algorithm === 'least-connections')) {
      throw new PolisError('network.invalid', 'the kernel path cannot serve this frontend');
    }
    return wantsProxy || !kernelCan ? 'proxy' : 'kernel';
  }

  /** Runs `fn` after every earlier change, once the table matches the record. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => this.ensureReady()).then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Once per process, before the first change: the table is rebuilt from the record in one transaction
   * (counters carried over), which also sweeps whatever a crashed daemon left that the record does not
   * name; with no kernel entry point on record the table is deleted. Open connections keep their NAT in
   * conntrack, so the rebuild cuts none. Drains in progress when the daemon stopped end here.
   */
  private ensureReady(): Promise<void> {
    this.ready ??= (async () => {
      if (this.options.disableKernel || !(await nftUsable())) return;
      const kernel = [...this.state.services.values()].filter((r) => r.mode === 'kernel');
      if (kernel.length === 0) {
        await dropTable(this.table);
      } else {
        this.tableUp = true;
        const counts = await readCounters(this.table);
        for (const r of kernel) r.draining = [];
        await nftApply(this.table, renderTable(this.table, kernel.map(kernelView), counts), 'restoring');
        for (const r of kernel) {
          if (r.frontend.vipBridge)
            await addVipAddress(r.frontend.vipBridge, r.frontend.hostIp).catch(() => undefined);
        }
        this.state.save();
      }
      log.info('load balancer ready', { table: this.table, entryPoints: this.state.services.size });
    })();
    // A failed restore is tried again by the next call rather than failing every call after it.
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }
}
