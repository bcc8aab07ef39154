import { labelSelector, objectMeta, podTemplate, type Schema } from './common.js';

const intOrPercent: Schema = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\d+%$' },
  ],
};

/** apps/v1 Deployment (io.k8s.api.apps.v1.Deployment), the fields that matter. */
export const deploymentSchema: Schema = {
  $id: 'apps/v1/Deployment',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'apps/v1' },
    kind: { const: 'Deployment' },
    metadata: objectMeta,
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['selector', 'template'],
      properties: {
        replicas: { type: 'integer', minimum: 0 },
        selector: labelSelector,
        // A Deployment's pods always restart: the API server refuses any other policy.
        template: podTemplate(['Always']),
        strategy: {
          type: 'object',
          properties: {
            type: { enum: ['RollingUpdate', 'Recreate'] },
            rollingUpdate: {
              type: 'object',
              properties: { maxSurge: intOrPercent, maxUnavailable: intOrPercent },
            },
          },
        },
        minReadySeconds: { type: 'integer', minimum: 0 },
        revisionHistoryLimit: { type: 'integer', minimum: 0 },
      },
    },
  },
};
