import { objectMeta, quantity, type Schema } from './common.js';

/** v1 PersistentVolumeClaim (io.k8s.api.core.v1.PersistentVolumeClaim). */
export const persistentVolumeClaimSchema: Schema = {
  $id: 'v1/PersistentVolumeClaim',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'v1' },
    kind: { const: 'PersistentVolumeClaim' },
    metadata: objectMeta,
    spec: {
      type: 'object',
      required: ['accessModes', 'resources'],
      properties: {
        accessModes: {
          type: 'array',
          minItems: 1,
          items: { enum: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] },
        },
        storageClassName: { type: 'string' },
        volumeMode: { enum: ['Filesystem', 'Block'] },
        resources: {
          type: 'object',
          required: ['requests'],
          properties: {
            requests: {
              type: 'object',
              required: ['storage'],
              properties: { storage: quantity },
              additionalProperties: quantity,
            },
            limits: { type: 'object', additionalProperties: quantity },
          },
        },
      },
    },
  },
};
