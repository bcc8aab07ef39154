import { spawn, type ChildProcess } from 'node:child_process';
import { open, mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { TokenServer, signingCert } from './registry-token.js';

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

export interface RegistryOptions {
  auth?: RegistryAuth;
  /** user → password; default one user `tester` / `s3cret-pass` when auth is on. */
  users?: Record<string, string>;
  /** token mode: requests without credentials get pull access. */
  anonymousPull?: boolean;
}

export const DEFAULT_USERS: Readonly<Record<string, string>> = { tester: 's3cret-pass' };
const SERVICE = 'polis-test-registry';
const ISSUER = 'polis-test-issuer';

/** A free TCP port on 127.0.0.1 (closed again, so a tiny race remains; start retries on it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The CNCF distribution registry (Debian's `docker-registry`) on 127.0.0.1, storage in a temp folder
 * of its own, deletes enabled, with no auth, an htpasswd file, or a token server in this process.
 */
export class TestRegistry {
  readonly storageDir: string;
  log = '';
  tokenServer: TokenServer | undefined;
  private child: ChildProcess | undefined;

  private constructor(
    readonly root: string,
    readonly auth: RegistryAuth,
    readonly users: Record<string, string>,
    public host: string,
  ) {
    this.storageDir = join(root, 'storage');
  }

  static async start(options: RegistryOptions = {}): Promise<TestRegistry> {
    const auth = options.auth ?? 'none';
    const users = options.users ?? (auth === 'none' ? {} : { ...DEFAULT_USERS });
    const root = await mkdtemp(join(tmpdir(), 'polis-registry-'));
    const reg = new TestRegistry(root, auth, users, '');
    try {
      const authConfig = await reg.authConfig(options.anonymousPull ?? false);
      for (let attempt = 0; ; attempt++) {
        reg.host = `127.0.0.1:${await freePort()}`;
        const config = join(root, 'config.yml');
        await writeFile(config, registryConfig(reg.host, reg.storageDir, authConfig));
        try {
          await reg.spawn(config);
          return reg;
        } catch (err) {
          // Another process took the port between freePort and the registry's bind.
          if (attempt >= 2 || !/address already in use/.test(reg.log)) throw err;
        }
      }
    } catch (err) {
      await reg.stop();
      throw err;
    }
  }

  /** The first user's `user:password`, for skopeo's --creds. */
  get creds(): string | undefined {
    const [user, password] = Object.entries(this.users)[0] ?? [];
    return user === undefined ? undefined : `${user}:${password}`;
  }

  /** `HOST/repo:tag` or `HOST/repo@digest`. */
  ref(repoAndTag: string): string {
    return `${this.host}/${repoAndTag}`;
  }

  private async authConfig(anonymousPull: boolean): Promise<string> {
    if (this.auth === 'htpasswd') {
      const file = join(this.root, 'htpasswd');
      const rows = Object.entries(this.users).map(([u, p]) => `${u}:${bcrypt.hashSync(p, 5)}\n`);
      await writeFile(file, rows.join(''));
      return `auth:\n  htpasswd:\n    realm: polis-test\n    path: ${file}\n`;
    }
    if (this.auth === 'token') {
      const cert = await signingCert();
      this.tokenServer = await TokenServer.start({
        users: this.users,
        service: SERVICE,
        issuer: ISSUER,
        anonymousPull,
      });
      return [
        'auth:',
        '  token:',
        `    realm: ${this.tokenServer.realm}`,
        `    service: ${SERVICE}`,
        `    issuer: ${ISSUER}`,
        `    rootcertbundle: ${cert.certFile}`,
        '',
      ].join('\n');
    }
    return '';
  }

  private async spawn(config: string): Promise<void> {
    this.log = '';
    const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (b: Buffer) => (this.log += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (this.log += b.toString()));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        this.child = undefined;
        throw new Error(`docker-registry exited ${child.exitCode}:\n${this.log}`);
      }
      try {
        const res = await fetch(`http://${this.host}/v2/`);
        // 401 means it is up and asks for credentials.
        if (res.status === 200 || res.status === 401) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`docker-registry did not come up:\n${this.log}`);
  }

  /** Where the registry keeps a blob: docker/registry/v2/blobs/sha256/<2 hex>/<hex>/data. */
  blobPath(digest: string): string {
    const hex = digest.replace(/^sha256:/, '');
    return join(this.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  }

  /** Flips one byte in the middle of a stored blob: same size, another digest. */
  async corruptBlob(digest: string): Promise<void> {
    const path = this.blobPath(digest);
    const { size } = await stat(path);
    const fh = await open(path, 'r+');
    try {
      const at = Math.floor(size / 2);
      const byte = Buffer.alloc(1);
      await fh.read(byte, 0, 1, at);
      byte[0] = byte[0]! ^ 0xff;
      await fh.write(byte, 0, 1, at);
    } finally {
      await fh.close();
    }
  }

  /**
   * Cuts a stored blob to `keep` bytes (default half). The registry still announces the full size it
   * cached at upload, so the transfer ends early.
   */
  async truncateBlob(digest: string, keep?: number): Promise<void> {
    const path = this.blobPath(digest);
    const { size } = await stat(path);
    await truncate(path, keep ?? Math.floor(size / 2));
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await exited;
    }
    await this.tokenServer?.stop();
    this.tokenServer = undefined;
    await rm(this.root, { recursive: true, force: true });
  }
}

function registryConfig(host: string, storageDir: string, auth: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    // The cached descriptor keeps a blob's upload-time size, so that a truncated file on disk is
    // served with its full Content-Length and the transfer breaks off.
    '  cache:',
    '    blobdescriptor: inmemory',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${host}`,
    '  secret: polis-test-secret',
    auth,
  ].join('\n');
}
