import { parseAutoscale } from '../autoscale/parse-autoscale.js';
import type { ComposeServiceLike } from './compose-like.js';
import type { Manifest } from './convert.js';
import { cpuQuantity, memoryBytes, memoryQuantity } from './quantity.js';

/**
 * x-polis-autoscale → an autoscaling/v2 HorizontalPodAutoscaler for the service's Deployment. Polis's
 * targets are per-replica amounts, not Kubernetes' percent of the request, so they become AverageValue
 * targets: cpu percent of one core → cores; memory percent of the limit → bytes (only with a memory
 * limit); requests per second → the Pods metric `requests_per_second`, which a metrics adapter must serve.
 */
export function horizontalPodAutoscaler(
  service: ComposeServiceLike,
  serviceName: string,
  name: string,
  metadata: Manifest,
): Manifest | undefined {
  const policy = parseAutoscale(service['x-polis-autoscale'], serviceName);
  if (!policy) return undefined;
  const metrics: Manifest[] = [];
  if (policy.targetCpuPercent !== undefined)
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: {
          type: 'AverageValue',
          averageValue: cpuQuantity(policy.targetCpuPercent / 100, serviceName),
        },
      },
    });
  const limit = service.deploy?.resources?.limits?.memory;
  if (policy.targetMemoryPercent !== undefined && limit !== undefined) {
    const limitBytes = memoryBytes(limit, `service "${serviceName}".deploy.resources.limits.memory`);
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'memory',
        target: {
          type: 'AverageValue',
          averageValue: memoryQuantity(
            Math.round((limitBytes * policy.targetMemoryPercent) / 100),
            serviceName,
          ),
        },
      },
    });
  }
  if (policy.targetRequestsPerSecond !== undefined)
    metrics.push({
      type: 'Pods',
      pods: {
        metric: { name: 'requests_per_second' },
        target: {
          type: 'AverageValue',
          averageValue: cpuQuantity(policy.targetRequestsPerSecond, serviceName),
        },
      },
    });
  if (metrics.length === 0) return undefined;
  const seconds = (ms: number): number => Math.round(ms / 1000);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      // Kubernetes wants at least one replica unless its alpha scale-to-zero gate is on.
      minReplicas: Math.max(1, policy.min),
      maxReplicas: Math.max(1, policy.max),
      metrics,
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0 },
        scaleDown: {
          stabilizationWindowSeconds: seconds(policy.scaleDownStabilizationMs ?? policy.scaleDownCooldownMs),
        },
      },
    },
  };
}
