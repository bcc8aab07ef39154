import type {
  Metadata,
  ServerDuplexStream,
  ServerUnaryCall,
  ServiceDefinition,
  ServiceError,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import { authorize, type Role } from '../access/role.js';
import { toServiceError } from './errors.js';

/**
 * Each gRPC method as its REST twin's HTTP method, so a read-only client certificate gets exactly what
 * it gets over REST (`authorize`, the one rule): reads only, and no exec or attach stream.
 */
export const REST_TWIN: Readonly<Record<string, [method: string, upgrade: boolean]>> = {
  'Containers.Create': ['POST', false],
  'Containers.Start': ['POST', false],
  'Containers.Stop': ['POST', false],
  'Containers.Kill': ['POST', false],
  'Containers.Remove': ['DELETE', false],
  'Containers.Inspect': ['GET', false],
  'Containers.List': ['GET', false],
  'Containers.Wait': ['POST', false],
  'Containers.Logs': ['GET', false],
  'Containers.Stats': ['GET', false],
  'Containers.Exec': ['POST', true],
  'Containers.Attach': ['POST', true],
  'Images.Pull': ['POST', false],
  'Images.List': ['GET', false],
  'Images.Inspect': ['GET', false],
  'Images.Remove': ['DELETE', false],
  'Networks.List': ['GET', false],
  'Networks.Inspect': ['GET', false],
  'Networks.Create': ['POST', false],
  'Networks.Remove': ['DELETE', false],
  'Volumes.List': ['GET', false],
  'Volumes.Inspect': ['GET', false],
  'Volumes.Create': ['POST', false],
  'Volumes.Remove': ['DELETE', false],
  'System.Version': ['GET', false],
  'System.Events': ['GET', false],
};

/** The REST twin of `Service.Method`; a method without one is a write (refused to read-only clients). */
export function restTwin(service: string, method: string): [string, boolean] {
  return REST_TWIN[`${service}.${method}`] ?? ['POST', true];
}

/** The implementation as ROLE may use it: a refused method answers PERMISSION_DENIED, `access.read_only`. */
export function forRole(
  role: Role,
  service: string,
  definition: ServiceDefinition,
  impl: UntypedServiceImplementation,
): UntypedServiceImplementation {
  if (role === 'full') return impl;
  const out: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const [verb, upgrade] = restTwin(service, name);
    try {
      authorize(role, verb, upgrade);
      out[name] = impl[name] as UntypedServiceImplementation[string];
    } catch (err) {
      const refusal = toServiceError(err) as ServiceError & { metadata: Metadata };
      out[name] = method.responseStream
        ? (call: ServerDuplexStream<unknown, unknown>) => call.emit('error', refusal)
        : (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => callback(refusal);
    }
  }
  return out;
}
