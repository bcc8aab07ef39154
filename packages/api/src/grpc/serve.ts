import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { identityOf, roleOf, type Role } from '../access/role.js';
import { forRole } from './access.js';
import { createLogger, isPolisError } from '@polis/core';
import { listenTcp, listenUnix } from '../listen.js';
import { buildRouter } from '../server.js';
import type { ApiDeps } from '../types.js';
import { containersService } from './containers.js';
import { imagesService } from './images.js';
import { polisService, type PolisServiceName } from './load.js';
import { networksService, systemService, volumesService } from './resources.js';

const log = createLogger('grpc');

export interface GrpcServeOptions {
  /** `<exec-root>/polis-grpc.sock`: mode 0660, group GID (the REST socket's). */
  socketPath: string;
  gid?: number;
  /** TCP with mutual TLS (the REST API's certificates); never plain TCP. */
  tcp?: { address: string; port: number; tls: TlsOptions; readonlyClients?: readonly string[] };
}

export interface GrpcServing {
  close(): Promise<void>;
}

/**
 * The `polis.v1` services, on a grpc-js server that listens nowhere by itself (see `serveGrpc`); for a
 * read-only client certificate, the methods whose REST twin it may not use answer `access.read_only`.
 */
export function createGrpcServer(deps: ApiDeps, role: Role = 'full'): Server {
  const router = buildRouter(deps);
  // channelz (grpc-js's introspection, on by default) costs about a quarter of a unary call here.
  const server = new Server({
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.enable_channelz': 0,
  });
  const add = (name: PolisServiceName, impl: UntypedServiceImplementation): void =>
    server.addService(polisService(name), forRole(role, name, polisService(name), impl));
  add('Containers', containersService(deps, router));
  add('Images', imagesService(router));
  add('Networks', networksService(router));
  add('Volumes', volumesService(router));
  add('System', systemService(deps, router));
  return server;
}

/**
 * Serves gRPC on the unix socket and, with mutual TLS, on TCP. Node's own listeners accept the
 * connections and hand them to grpc-js (`createConnectionInjector`), so the socket file gets the REST
 * socket's treatment (born 0660, group, stale file replaced, live daemon refused) and TLS is node:tls
 * with the REST API's options: a client without a certificate of the CA never reaches a handler.
 */
export async function serveGrpc(deps: ApiDeps, options: GrpcServeOptions): Promise<GrpcServing> {
  const server = createGrpcServer(deps);
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const listeners: NetServer[] = [];
  const unix = createNetServer((socket) => injector.injectConnection(socket));
  await listenUnix(unix as unknown as HttpServer, options.socketPath, options.gid);
  listeners.push(unix);
  log.info('gRPC listening', { socket: options.socketPath });
  const servers = [server];
  if (options.tcp) {
    const { address, port, tls, readonlyClients = [] } = options.tcp;
    const readOnly = createGrpcServer(deps, 'read-only');
    servers.push(readOnly);
    const readOnlyInjector = readOnly.createConnectionInjector(ServerCredentials.createInsecure());
    // The certificate decides once per connection which server (which role) serves it.
    const secure = createTlsServer({ ...tls, ALPNProtocols: ['h2'] }, (socket) =>
      (roleOf(identityOf(socket), readonlyClients) === 'full' ? injector : readOnlyInjector).injectConnection(
        socket,
      ),
    );
    secure.on('tlsClientError', (err: NodeJS.ErrnoException) =>
      log.info('gRPC TLS handshake refused', { error: err.code ?? err.message }),
    );
    try {
      await listenTcp(secure as unknown as HttpServer, address, port);
      listeners.push(secure);
      log.info('gRPC listening', { address, port, tls: 'mutual' });
    } catch (err) {
      // The port is implied (REST's + 1), not asked for: taken (a swarm manager's 2377, say), the daemon
      // still serves REST and the gRPC socket, and says why gRPC has no TCP.
      if (!isPolisError(err, 'daemon.socket_in_use')) throw err;
      log.warn('gRPC not served on TCP: its port is taken', { address, port, error: err.message });
    }
  }
  return {
    async close() {
      await Promise.all(listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
      for (const s of servers) s.forceShutdown();
    },
  };
}
