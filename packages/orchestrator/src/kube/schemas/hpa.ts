import { dnsSubdomain, objectMeta, quantity, type Schema } from './common.js';

const target: Schema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['Utilization', 'Value', 'AverageValue'] },
    averageUtilization: { type: 'integer', minimum: 1 },
    averageValue: quantity,
    value: quantity,
  },
};
const rules: Schema = {
  type: 'object',
  properties: { stabilizationWindowSeconds: { type: 'integer', minimum: 0, maximum: 3600 } },
};

/** autoscaling/v2 HorizontalPodAutoscaler (io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler). */
export const horizontalPodAutoscalerSchema: Schema = {
  $id: 'autoscaling/v2/HorizontalPodAutoscaler',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'autoscaling/v2' },
    kind: { const: 'HorizontalPodAutoscaler' },
    metadata: objectMeta,
    spec: {
      type: 'object',
      required: ['scaleTargetRef', 'maxReplicas'],
      properties: {
        scaleTargetRef: {
          type: 'object',
          required: ['kind', 'name'],
          properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, name: dnsSubdomain },
        },
        minReplicas: { type: 'integer', minimum: 1 },
        maxReplicas: { type: 'integer', minimum: 1 },
        metrics: {
          type: 'array',
          items: {
            type: 'object',
            required: ['type'],
            properties: {
              type: { enum: ['Resource', 'Pods', 'Object', 'External', 'ContainerResource'] },
              resource: {
                type: 'object',
                required: ['name', 'target'],
                properties: { name: { type: 'string' }, target },
              },
              pods: {
                type: 'object',
                required: ['metric', 'target'],
                properties: {
                  metric: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
                  target,
                },
              },
            },
          },
        },
        behavior: { type: 'object', properties: { scaleUp: rules, scaleDown: rules } },
      },
    },
  },
};
