import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';
import { archiveRoutes } from './archive.js';
import { attachRoute } from './attach.js';
import { createRoute } from './create.js';
import { filesystemRoutes } from './filesystem.js';
import { lifecycleRoutes } from './lifecycle.js';
import { logsRoute } from './logs.js';
import { readRoutes } from './read.js';
import { statsRoute } from './stats.js';
import { waitRoute } from './wait.js';
import { updateTopRoutes } from './update-top.js';
import { securityRoute } from './security.js';

export function containerRoutes(router: Router, deps: ApiDeps): void {
  readRoutes(router, deps);
  createRoute(router, deps);
  lifecycleRoutes(router, deps);
  waitRoute(router, deps);
  attachRoute(router, deps);
  logsRoute(router, deps);
  updateTopRoutes(router, deps);
  filesystemRoutes(router, deps);
  archiveRoutes(router, deps);
  statsRoute(router, deps);
  securityRoute(router, deps);
}
