import { PolisError } from '@polis/core';
import type { NetworkService } from '@polis/network';
import type { ApiDeps } from '../../types.js';

/** The network layer, or a 501 for a daemon built without one. */
export function networksOf(deps: ApiDeps): NetworkService {
  if (!deps.networks) throw new PolisError('request.not_implemented', 'networking is not available');
  return deps.networks;
}
