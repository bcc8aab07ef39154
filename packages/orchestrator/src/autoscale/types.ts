/**
 * The contract between the stack controller and the autoscaler (issue 13, item 4): x-polis-autoscale.
 */

export interface AutoscalePolicy {
  min: number;
  max: number;
  /** Mean CPU of the replicas, in percent of one core (Docker's stats percent). */
  targetCpuPercent?: number;
  /** Mean memory of the replicas, in percent of their limit. */
  targetMemoryPercent?: number;
  /** Requests (connections) per second per replica, from the balancer's counters. */
  targetRequestsPerSecond?: number;
  scaleUpCooldownMs: number;
  scaleDownCooldownMs: number;
  /**
   * Scale down only to the highest size recommended over this window (Kubernetes HPA's
   * behavior.scaleDown.stabilizationWindowSeconds); scaleDownCooldownMs when absent.
   */
  scaleDownStabilizationMs?: number;
  /** Metric values are the mean of the samples over this window; 15 s when absent. */
  metricWindowMs?: number;
  /** No change while value/target stays within 1 ± tolerance (HPA's 0.1 when absent). */
  tolerance?: number;
}

/** One observation of a service, taken by the controller from the monitor's sampler and the balancer. */
export interface ServiceSample {
  /** ms since the epoch. */
  at: number;
  /** Replicas running now. */
  replicas: number;
  /** Mean over the replicas, percent of one core. */
  cpuPercent?: number;
  /** Mean over the replicas, percent of each one's memory limit. */
  memoryPercent?: number;
  /** Per replica: the service's requests per second divided by its replicas. */
  requestsPerSecond?: number;
}

export interface ScaleDecision {
  from: number;
  to: number;
  /** Human words, e.g. "cpu 183% > target 50% over 30 s". */
  reason: string;
  metric: 'cpu' | 'memory' | 'requests';
  value: number;
  target: number;
}

export interface Autoscaler {
  observe(sample: ServiceSample): void;
  /** A change to make now, or null (inside a cooldown or stabilisation window, or at the right size). */
  decide(now: number): ScaleDecision | null;
}
