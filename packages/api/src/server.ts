import { eventRoutes } from './routes/events.js';
import { execRoutes } from './routes/exec.js';
import { createServer, maxHeaderSize, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TlsOptions } from 'node:tls';
import { authorize, identityOf, roleOf, type Role } from './access/role.js';
import { createLogger, PolisError } from '@polis/core';
import { invalid } from './http/errors.js';
import { HttpReply, SocketReply, type Reply } from './http/reply.js';
import { settlesFirst } from './http/settle.js';
import { Router, splitVersion } from './http/router.js';
import { observeRequest } from './http/request-metrics.js';
import { containerRoutes } from './routes/containers/index.js';
import { imageRoutes } from './routes/images/index.js';
import { networkRoutes } from './routes/networks/index.js';
import { notImplementedRoutes } from './routes/not-implemented.js';
import { systemRoutes } from './routes/system.js';
import { systemDfRoutes } from './routes/system-df.js';
import { buildRoutes } from './routes/build.js';
import { healthRoutes } from './routes/health.js';
import { debugTraceRoutes } from './routes/debug-trace.js';
import { alertRoutes } from './routes/alerts.js';
import { stackRoutes } from './routes/stacks/index.js';
import { metricsRoutes } from './routes/metrics.js';
import { volumeRoutes } from './routes/volumes/index.js';
import { openApiRoute } from './routes/openapi.js';
import { centralLogsRoute } from './routes/central-logs.js';
import { volumeBackupRoutes } from './routes/volumes/backup.js';
import { API_VERSION, type ApiDeps } from './types.js';
import { serveDashboard, type DashboardOptions } from './dashboard/serve.js';

const log = createLogger('api');

export function buildRouter(deps: ApiDeps): Router {
  const router = new Router();
  systemRoutes(router, deps);
  containerRoutes(router, deps);
  imageRoutes(router, deps);
  eventRoutes(router, deps);
  execRoutes(router, deps);
  networkRoutes(router, deps);
  volumeRoutes(router, deps);
  stackRoutes(router, deps);
  volumeBackupRoutes(router, deps);
  systemDfRoutes(router, deps);
  buildRoutes(router, deps);
  centralLogsRoute(router, deps);
  healthRoutes(router, deps);
  debugTraceRoutes(router, deps);
  alertRoutes(router, deps);
  metricsRoutes(router, deps);
  openApiRoute(router, deps);
  // Last: only what no route above serves.
  notImplementedRoutes(router);
  return router;
}

/**
 * Node answers a request line or headers past its limit (16 KiB) with a bare 431 and other parse errors
 * with a bare 400; a Docker client wants `{"message"}`, so say what was wrong in Docker's error shape.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // Node's own rule: a reset peer, or a socket already answering a request, gets no reply of ours.
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          '400 Bad Request',
          `request line and headers are larger than ${maxHeaderSize} bytes (a parameter in the URL is too long)`,
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['408 Request Timeout', 'the request headers did not arrive in time']
        : ['400 Bad Request', `malformed HTTP request: ${err.code ?? err.message}`];
  const body = JSON.stringify({ message, code: 'request.invalid' }) + '\n';
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nConnection: close\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** How one listener serves: plain HTTP (unix socket, loopback) or HTTPS with client certificates. */
export interface ServeOptions {
  /** HTTPS with these options; polisd passes mutual TLS (`requestCert`, `rejectUnauthorized`, `ca`). */
  tls?: TlsOptions;
  /** Client certificates (subject CN or SHA-256 fingerprint) that may only read (see `access/role.ts`). */
  readonlyClients?: readonly string[];
  /** Serve the web dashboard under /dashboard/ (see `dashboard/serve.ts`). */
  dashboard?: DashboardOptions;
}

/** The Docker-Engine-compatible REST server (node:http or node:https); the caller decides where it listens. */
export function createApiServer(deps: ApiDeps, options: ServeOptions = {}): Server {
  const router = buildRouter(deps);
  const common = { 'Api-Version': API_VERSION, Server: `Polis/${deps.system.version().Version}` };
  // An https.Server is an http.Server over TLS sockets (same events, same connection tracking). Half-open
  // as node:http's own sockets are: docker ends its side of a hijacked attach (TLS close_notify) as soon
  // as stdin is done, and the container's output must still flow back.
  const server = options.tls
    ? (createTlsServer({ ...options.tls, allowHalfOpen: true }) as unknown as Server)
    : createServer();
  const readonlyClients = options.readonlyClients ?? [];
  // The certificate of a connection does not change: its role is worked out once per socket.
  const roles = new WeakMap<Socket, Role>();
  const roleOfSocket = (socket: Socket): Role => {
    let role = roles.get(socket);
    if (role === undefined) {
      role = roleOf(identityOf(socket), readonlyClients);
      roles.set(socket, role);
    }
    return role;
  };
  // Imports stream large bodies and waits last as long as containers run: no request deadline.
  server.requestTimeout = 0;

  /** Sets the request's route template once matched, for the metrics (`unmatched` otherwise). */
  async function dispatch(
    req: IncomingMessage,
    reply: Reply,
    upgraded: boolean,
    onRoute: (pattern: string) => void = () => undefined,
  ): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://polis');
      authorize(roleOfSocket(req.socket), req.method ?? 'GET', upgraded);
      const { version, path } = splitVersion(url.pathname);
      const match = router.match(req.method ?? 'GET', path);
      if (!match) throw new PolisError('request.unknown_route', 'page not found', { context: { path } });
      onRoute(match.pattern);
      if (upgraded && !match.hijack) throw invalid(`${path} does not take a connection upgrade`);
      const settle = deps.containers.cleanupsPending?.() ? settlesFirst(match.pattern) : undefined;
      if (settle) await deps.containers.settled?.(settle);
      await match.handler({ req, reply, params: match.params, query: url.searchParams, version });
    } catch (err) {
      if (!reply.headersSent) {
        reply.error(err);
        return;
      }
      // The head is out: the only thing left to say is to close the stream.
      log.warn('stream failed', { url: req.url, error: err });
      reply.end();
    }
  }

  server.on('request', (req, res) => {
    const forward = (): void => {
      const observe = deps.metrics ? observeRequest(deps.metrics, req, res) : undefined;
      void dispatch(req, new HttpReply(req, res, common), false, observe);
    };
    const serves = (method: string, path: string): boolean => router.match(method, path) !== undefined;
    if (options.dashboard && serveDashboard(req, res, options.dashboard, forward, serves)) return;
    forward();
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket));
  // A client without a certificate of our CA is cut off in the handshake; say who, for the operator.
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) =>
    log.info('TLS handshake refused', { remote: socket.remoteAddress, error: err.code ?? err.message }),
  );
  // Hijacked sockets are no longer the HTTP server's to close; track them so shutdown can end them too.
  const hijacked = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The dashboard never upgrades a connection (no attach, no exec): its listener refuses them all.
    if (options.dashboard?.only) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    hijacked.add(socket);
    socket.on('close', () => hijacked.delete(socket));
    socket.on('error', (err) => log.debug('hijacked socket error', { error: err }));
    void dispatch(req, new SocketReply(socket, head, common), true);
  });
  const closeAllConnections = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeAllConnections();
    for (const socket of hijacked) socket.destroy();
  };
  return server;
}
