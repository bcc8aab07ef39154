import { createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run.js';

export interface SigningCert {
  /** PEM of the self-signed certificate: the registry's `rootcertbundle`. */
  certFile: string;
  /** base64 DER of the certificate, sent as the JWT header's `x5c` chain. */
  certDer: string;
  key: KeyObject;
}

let certOnce: Promise<SigningCert> | undefined;

/** One self-signed RSA certificate per test process (openssl keygen costs a few hundred ms). */
export function signingCert(): Promise<SigningCert> {
  certOnce ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polis-token-cert-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650'];
    args.push('-subj', '/CN=polis-test-token-issuer', '-keyout', keyFile, '-out', certFile);
    const res = await runCommand('openssl', args);
    if (res.code !== 0) throw new Error(`openssl req failed: ${res.stderr}`);
    const cert = new X509Certificate(readFileSync(certFile));
    return {
      certFile,
      certDer: cert.raw.toString('base64'),
      key: createPrivateKey(readFileSync(keyFile)),
    };
  })();
  return certOnce;
}

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:polis/busybox:pull,push` → access entry; the name may not hold a colon, the type never. */
export function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

export interface TokenServerOptions {
  users: Record<string, string>;
  service: string;
  issuer: string;
  /** Whether a request without credentials gets pull access (else a token granting nothing). */
  anonymousPull: boolean;
}

/**
 * The token server of Docker's token authentication (the protocol Docker Hub speaks), in the test
 * process: GET with Basic credentials, or the OAuth2 password-grant POST. Known users get what they
 * ask for; a wrong password is a 401.
 */
export class TokenServer {
  private constructor(
    /** Every request's user (`''` when anonymous) and scopes, for tests that check what was asked. */
    readonly requests: { user: string; scopes: string[] }[],
    private readonly server: Server,
    readonly realm: string,
  ) {}

  static async start(options: TokenServerOptions): Promise<TokenServer> {
    const cert = await signingCert();
    const requests: { user: string; scopes: string[] }[] = [];
    const server = createServer((req, res) => {
      handle(req, res, options, cert, requests).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new TokenServer(requests, server, `http://127.0.0.1:${port}/token`);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: TokenServerOptions,
  cert: SigningCert,
  log: { user: string; scopes: string[] }[],
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://token');
  if (url.pathname !== '/token') {
    res.writeHead(404).end();
    return;
  }
  let user: string | undefined;
  let password: string | undefined;
  let scopes = url.searchParams.getAll('scope');
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    if (form.get('grant_type') !== 'password') {
      json(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    user = form.get('username') ?? undefined;
    password = form.get('password') ?? undefined;
    scopes = form.getAll('scope');
  } else {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString();
      const colon = decoded.indexOf(':');
      user = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  if (user !== undefined && options.users[user] !== password) {
    json(res, 401, { details: 'incorrect username or password' });
    return;
  }
  const requested = scopes
    .flatMap((s) => s.split(' '))
    .map(parseScope)
    .filter((a): a is Access => a !== undefined);
  log.push({ user: user ?? '', scopes: requested.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`) });
  const access =
    user !== undefined
      ? requested
      : options.anonymousPull
        ? requested.map((a) => ({ ...a, actions: a.actions.filter((x) => x === 'pull') }))
        : [];
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5c: [cert.certDer] };
  const claims = {
    iss: options.issuer,
    sub: user ?? '',
    aud: options.service,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access,
  };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), cert.key);
  const token = `${signingInput}.${b64url(signature)}`;
  json(res, 200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
