import { objectMeta, podTemplate, type Schema } from './common.js';

const template = podTemplate(['OnFailure', 'Never']);
const templateProperties = template['properties'] as Record<string, Schema>;

/** batch/v1 Job (io.k8s.api.batch.v1.Job): its pods must say how they restart, and not Always. */
export const jobSchema: Schema = {
  $id: 'batch/v1/Job',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'batch/v1' },
    kind: { const: 'Job' },
    metadata: objectMeta,
    spec: {
      type: 'object',
      required: ['template'],
      properties: {
        backoffLimit: { type: 'integer', minimum: 0 },
        completions: { type: 'integer', minimum: 0 },
        parallelism: { type: 'integer', minimum: 0 },
        template: {
          ...template,
          properties: {
            ...templateProperties,
            spec: { ...templateProperties['spec'], required: ['containers', 'restartPolicy'] },
          },
        },
      },
    },
  },
};
