import { createServer, type Server } from 'node:http';
import { PolisError, createLogger } from '@polis/core';
import { METRICS_CONTENT_TYPE, type PolisMetrics } from '@polis/monitor';
import { listenTcp } from '../listen.js';
import { isLoopback } from './hosts.js';

const log = createLogger('metrics');

/**
 * `--metrics-addr HOST:PORT` as dockerd takes it, but loopback only: the scrape names every container
 * and image, which is not for every host on the network, and this listener has no TLS.
 */
export function parseMetricsAddr(value: string, flag = '--metrics-addr'): { address: string; port: number } {
  const m = /^(\[[^\]]*\]|[^:[\]]+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new PolisError('request.invalid', `invalid ${flag} "${value}": use 127.0.0.1:PORT`);
  }
  const address = (m[1] as string).replace(/^\[|\]$/g, '');
  if (!isLoopback(address)) {
    throw new PolisError(
      'request.invalid',
      `refusing ${flag} ${value}: it is served on a loopback address only (127.0.0.1 or [::1])`,
    );
  }
  return { address, port };
}

/** A plain HTTP listener that serves `GET /metrics` and nothing else. */
export async function serveMetrics(
  metrics: PolisMetrics,
  where: { address: string; port: number },
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    metrics.render().then(
      (text) => {
        res.writeHead(200, {
          'Content-Type': METRICS_CONTENT_TYPE,
          'Content-Length': Buffer.byteLength(text),
        });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        log.warn('scrape failed', { error: err });
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('scrape failed\n');
      },
    );
  });
  await listenTcp(server, where.address, where.port);
  log.info('metrics listening', { address: where.address, port: where.port });
  return server;
}
