/**
 * Component health (`GET /polis/v1/health`): each package exports small checks of this shape and the
 * monitor runs and aggregates them. The types live in core so that packages which may not import one
 * another (network, storage, security, runtime, monitor) can all produce them.
 */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthResult {
  status: HealthStatus;
  /** One line saying what was found. */
  message: string;
  /** When not healthy: what the operator can do about it. */
  remedy?: string;
}

export interface HealthCheck {
  component: string;
  name: string;
  run(): Promise<HealthResult> | HealthResult;
}

export const healthy = (message: string): HealthResult => ({ status: 'healthy', message });
export const degraded = (message: string, remedy: string): HealthResult => ({
  status: 'degraded',
  message,
  remedy,
});
export const unhealthy = (message: string, remedy: string): HealthResult => ({
  status: 'unhealthy',
  message,
  remedy,
});
