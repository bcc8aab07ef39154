import { PolisError, type ContainerSpec, type IdMappings } from '@polis/core';
import type { RuntimeContext } from '../context.js';

/**
 * The user namespace a new container gets: the daemon's remapping unless it asks for the host's
 * (`--userns host`). As dockerd, a privileged container must ask for the host's explicitly.
 */
export function userNamespaceFor(ctx: RuntimeContext, spec: ContainerSpec): IdMappings | undefined {
  const mode = spec.security.usernsMode ?? '';
  if (mode !== '' && mode !== 'host') {
    throw new PolisError('request.invalid', `invalid USER mode "${mode}": use host`, { context: { mode } });
  }
  const mappings = ctx.config.idMappings;
  if (!mappings || mode === 'host') return undefined;
  if (spec.security.privileged) {
    throw new PolisError(
      'request.invalid',
      'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode',
    );
  }
  return mappings;
}
