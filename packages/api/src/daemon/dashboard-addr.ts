import type { Server } from 'node:http';
import { createLogger } from '@polis/core';
import { newDashboardToken } from '../dashboard/token.js';
import { listenTcp } from '../listen.js';
import { createApiServer } from '../server.js';
import type { ApiDeps } from '../types.js';

const log = createLogger('dashboard');

/**
 * `--dashboard-addr`: a loopback listener that serves only /dashboard/, every path behind a token made
 * fresh at each start. The login URL goes to stdout once (not to the log, which others may read).
 */
export async function serveDashboardAddr(
  deps: ApiDeps,
  where: { address: string; port: number },
): Promise<Server> {
  const token = newDashboardToken();
  const server = createApiServer(deps, { dashboard: { token, only: true } });
  await listenTcp(server, where.address, where.port);
  const host = where.address.includes(':') ? `[${where.address}]` : where.address;
  log.info('dashboard listening', { address: where.address, port: where.port });
  process.stdout.write(`polisd: dashboard: http://${host}:${where.port}/dashboard/login?token=${token}\n`);
  return server;
}
