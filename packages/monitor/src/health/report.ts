import type { HealthCheck, HealthResult, HealthStatus } from '@polis/core';

export interface CheckReport extends HealthResult {
  name: string;
  /** How long the check took. */
  durationMs: number;
}

export interface ComponentReport {
  name: string;
  status: HealthStatus;
  checks: CheckReport[];
}

export interface HealthReport {
  status: HealthStatus;
  /** RFC 3339. */
  time: string;
  components: ComponentReport[];
}

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** The worse of the statuses; healthy for none. */
export function worst(statuses: Iterable<HealthStatus>): HealthStatus {
  let out: HealthStatus = 'healthy';
  for (const s of statuses) if (RANK[s] > RANK[out]) out = s;
  return out;
}

/**
 * A component is as bad as its worst check, and Polis as bad as its worst component: one unhealthy
 * check makes the whole report unhealthy, a degraded one (low disk) only degraded. Components keep
 * the order in which their first check was given.
 */
export function aggregate(
  results: { component: string; check: CheckReport }[],
  time = new Date(),
): HealthReport {
  const byName = new Map<string, ComponentReport>();
  for (const { component, check } of results) {
    let c = byName.get(component);
    if (!c) byName.set(component, (c = { name: component, status: 'healthy', checks: [] }));
    c.checks.push(check);
  }
  const components = [...byName.values()];
  for (const c of components) c.status = worst(c.checks.map((k) => k.status));
  return { status: worst(components.map((c) => c.status)), time: time.toISOString(), components };
}

export const CHECK_TIMEOUT_MS = 800;

/**
 * Runs every check at once, each bounded by TIMEOUT_MS: a check that throws or does not answer in
 * time is unhealthy (a hung `nft` or DNS server is a finding, not a reason for the report to hang).
 */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (check) => {
      const t0 = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<HealthResult>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              status: 'unhealthy',
              message: `no answer within ${timeoutMs} ms`,
              remedy: 'see the polisd log; the check is retried at the next request',
            }),
          timeoutMs,
        );
      });
      let result: HealthResult;
      try {
        result = await Promise.race([Promise.resolve().then(() => check.run()), timeout]);
      } catch (err) {
        result = {
          status: 'unhealthy',
          message: `check failed: ${(err as Error).message ?? String(err)}`,
          remedy: 'see the polisd log',
        };
      } finally {
        clearTimeout(timer);
      }
      return {
        component: check.component,
        check: { name: check.name, ...result, durationMs: Date.now() - t0 },
      };
    }),
  );
  return aggregate(results);
}
