/**
 * Minimal JSON schemas (draft-07) of the Kubernetes types the conversion writes, after the OpenAPI
 * definitions of Kubernetes 1.30 (io.k8s.api.*): the required fields, their types, names as DNS-1123,
 * ports as integers in range, quantities in resource.Quantity syntax. Objects whose fields Polis writes
 * are closed (additionalProperties: false), as `kubectl apply --validate=strict` rejects unknown fields.
 */
import { QUANTITY_PATTERN } from '../quantity.js';

export type Schema = Record<string, unknown>;

export const dnsLabel: Schema = { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' };
export const dnsSubdomain: Schema = {
  type: 'string',
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
};
const labelValue: Schema = {
  type: 'string',
  maxLength: 63,
  pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$',
};
const labelKey: Schema = {
  type: 'string',
  pattern:
    '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
};
export const labels: Schema = { type: 'object', propertyNames: labelKey, additionalProperties: labelValue };
export const quantity: Schema = { type: 'string', pattern: QUANTITY_PATTERN };
export const port: Schema = { type: 'integer', minimum: 1, maximum: 65535 };
export const protocol: Schema = { enum: ['TCP', 'UDP', 'SCTP'] };
const int = (minimum: number): Schema => ({ type: 'integer', minimum });

export const objectMeta: Schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: dnsSubdomain,
    namespace: dnsLabel,
    labels,
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

const resourceList: Schema = { type: 'object', additionalProperties: quantity };

const probe: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exec: {
      type: 'object',
      additionalProperties: false,
      required: ['command'],
      properties: { command: { type: 'array', minItems: 1, items: { type: 'string' } } },
    },
    httpGet: { type: 'object', required: ['port'] },
    tcpSocket: { type: 'object', required: ['port'] },
    grpc: { type: 'object', required: ['port'] },
    initialDelaySeconds: int(0),
    periodSeconds: int(1),
    timeoutSeconds: int(1),
    successThreshold: int(1),
    failureThreshold: int(1),
    terminationGracePeriodSeconds: int(1),
  },
  // Exactly one handler, as the API server's validation demands.
  oneOf: [
    { required: ['exec'] },
    { required: ['httpGet'] },
    { required: ['tcpSocket'] },
    { required: ['grpc'] },
  ],
};

const container: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'image'],
  properties: {
    name: dnsLabel,
    image: { type: 'string', minLength: 1 },
    command: { type: 'array', items: { type: 'string' } },
    args: { type: 'array', items: { type: 'string' } },
    workingDir: { type: 'string' },
    env: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1 }, value: { type: 'string' } },
      },
    },
    ports: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['containerPort'],
        properties: {
          containerPort: port,
          protocol,
          name: { type: 'string', maxLength: 15 },
          hostPort: port,
        },
      },
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: { requests: resourceList, limits: resourceList },
    },
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    volumeMounts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'mountPath'],
        properties: {
          name: dnsLabel,
          mountPath: { type: 'string', minLength: 1 },
          readOnly: { type: 'boolean' },
        },
      },
    },
    securityContext: {
      type: 'object',
      properties: {
        runAsUser: int(0),
        runAsGroup: int(0),
        runAsNonRoot: { type: 'boolean' },
        privileged: { type: 'boolean' },
        readOnlyRootFilesystem: { type: 'boolean' },
        capabilities: {
          type: 'object',
          additionalProperties: false,
          properties: {
            add: { type: 'array', items: { type: 'string' } },
            drop: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  },
};

const volume: Schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: dnsLabel,
    persistentVolumeClaim: {
      type: 'object',
      required: ['claimName'],
      properties: { claimName: dnsSubdomain, readOnly: { type: 'boolean' } },
    },
    emptyDir: { type: 'object', properties: { medium: { enum: ['', 'Memory'] }, sizeLimit: quantity } },
    hostPath: { type: 'object', required: ['path'], properties: { path: { type: 'string', minLength: 1 } } },
  },
  oneOf: [{ required: ['persistentVolumeClaim'] }, { required: ['emptyDir'] }, { required: ['hostPath'] }],
};

export const podSpec = (restartPolicies: string[]): Schema => ({
  type: 'object',
  required: ['containers'],
  properties: {
    containers: { type: 'array', minItems: 1, items: container },
    initContainers: { type: 'array', items: container },
    volumes: { type: 'array', items: volume },
    restartPolicy: { enum: restartPolicies },
    terminationGracePeriodSeconds: int(0),
  },
});

export const podTemplate = (restartPolicies: string[]): Schema => ({
  type: 'object',
  required: ['metadata', 'spec'],
  properties: {
    metadata: { type: 'object', properties: { labels, annotations: { type: 'object' } } },
    spec: podSpec(restartPolicies),
  },
});

export const labelSelector: Schema = {
  type: 'object',
  properties: {
    matchLabels: labels,
    matchExpressions: { type: 'array', items: { type: 'object', required: ['key', 'operator'] } },
  },
  anyOf: [{ required: ['matchLabels'] }, { required: ['matchExpressions'] }],
};
