import { dnsLabel, labels, objectMeta, port, protocol, type Schema } from './common.js';

/** v1 Service (io.k8s.api.core.v1.Service). */
export const serviceSchema: Schema = {
  $id: 'v1/Service',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'v1' },
    kind: { const: 'Service' },
    metadata: objectMeta,
    spec: {
      type: 'object',
      required: ['ports'],
      properties: {
        type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
        selector: labels,
        clusterIP: { type: 'string' },
        ports: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['port'],
            properties: {
              name: { ...dnsLabel, maxLength: 15 },
              port,
              targetPort: { oneOf: [port, { ...dnsLabel, maxLength: 15 }] },
              nodePort: { type: 'integer', minimum: 30000, maximum: 32767 },
              protocol,
              appProtocol: { type: 'string' },
            },
          },
        },
      },
    },
  },
};
