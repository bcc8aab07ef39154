import { existsSync, readdirSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { hostNames } from '@polis/network';
import { runCommand } from './run.js';
import { rawRequest } from './http.js';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GET http://HOST:PORT/PATH from the test process; the body, or an error. */
export function httpGet(host: string, port: number, path = '/', timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port}${path} timed out`)));
    req.on('error', reject);
  });
}

/** Links whose names match `re` (veths, bridges). */
export async function links(re: RegExp): Promise<string[]> {
  const res = await runCommand('ip', ['-j', 'link', 'show']);
  const all = JSON.parse(res.stdout || '[]') as { ifname: string }[];
  return all.map((l) => l.ifname).filter((n) => re.test(n));
}

/** Named network namespaces (`ip netns`, /run/netns) whose names match `re`. */
export function netnsNames(re: RegExp): string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => re.test(n)) : [];
}

/** The daemon's nftables table as text, or '' when it does not exist. */
export async function nftTable(dataRoot: string): Promise<string> {
  const res = await runCommand('nft', ['list', 'table', 'ip', hostNames(dataRoot).table]);
  return res.code === 0 ? res.stdout : '';
}

/**
 * Removes what a test daemon made on the host: its custom networks (through the API, while it
 * runs), then its default bridge and firewall table (by their names, after it stopped).
 */
export async function removeNetworksVia(socket: string): Promise<void> {
  const list = await rawRequest(socket, 'GET', '/networks').catch(() => undefined);
  if (!list || !Array.isArray(list.json)) return;
  for (const n of list.json as { Id: string; Name: string }[]) {
    if (n.Name !== 'bridge') await rawRequest(socket, 'DELETE', `/networks/${n.Id}`).catch(() => undefined);
  }
}

export async function removeHostNetworkObjects(dataRoot: string): Promise<void> {
  const names = hostNames(dataRoot);
  await runCommand('ip', ['link', 'del', names.defaultBridge]);
  await runCommand('nft', ['delete', 'table', 'ip', names.table]);
}
