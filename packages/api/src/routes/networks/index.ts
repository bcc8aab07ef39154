import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';
import { connectRoutes } from './connect.js';
import { createNetworkRoute } from './create.js';
import { readNetworkRoutes } from './read.js';
import { removeNetworkRoutes } from './remove.js';

/** Docker's `/networks` endpoints. */
export function networkRoutes(router: Router, deps: ApiDeps): void {
  createNetworkRoute(router, deps);
  removeNetworkRoutes(router, deps);
  connectRoutes(router, deps);
  readNetworkRoutes(router, deps);
}
