import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TestDaemon } from './daemon.js';
import { TestRegistry, type RegistryOptions } from './registry.js';
import { runCommand, type CommandResult } from './run.js';

/**
 * One polisd and one registry for one test, plus a DOCKER_CONFIG folder of its own so that
 * `polis login` / `docker login` never touch the real ~/.docker.
 */
export class RegistryEnv {
  private constructor(
    readonly d: TestDaemon,
    readonly reg: TestRegistry,
    readonly configDir: string,
  ) {}

  static async start(options: RegistryOptions = {}): Promise<RegistryEnv> {
    const configDir = await mkdtemp(join(tmpdir(), 'polis-dockercfg-'));
    const reg = await TestRegistry.start(options).catch(async (err: unknown) => {
      await rm(configDir, { recursive: true, force: true });
      throw err;
    });
    const d = await TestDaemon.start().catch(async (err: unknown) => {
      await reg.stop();
      await rm(configDir, { recursive: true, force: true });
      throw err;
    });
    return new RegistryEnv(d, reg, configDir);
  }

  /** `HOST/repo:tag` in this env's registry. */
  ref(repoTag: string): string {
    return this.reg.ref(repoTag);
  }

  polis(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return this.d.polis(args, { ...options, env: { DOCKER_CONFIG: this.configDir } });
  }

  docker(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return runCommand('docker', args, { ...options, env: this.d.env({ DOCKER_CONFIG: this.configDir }) });
  }

  /** `sh -c script` with DOCKER_HOST, POLIS_HOST and DOCKER_CONFIG set (for pipelines). */
  shell(script: string, timeoutMs = 60_000): Promise<CommandResult> {
    return runCommand('sh', ['-c', script], {
      env: this.d.env({ DOCKER_CONFIG: this.configDir }),
      timeoutMs,
    });
  }

  async cleanup(): Promise<void> {
    try {
      await this.d.cleanup();
    } finally {
      await this.reg.stop();
      await rm(this.configDir, { recursive: true, force: true });
    }
  }
}

/** Files under `dir`, relative and sorted (folders end in `/`); [] when it does not exist. */
export function listTree(dir: string, maxDepth = Infinity): string[] {
  const out: string[] = [];
  const walk = (p: string, depth: number): void => {
    for (const entry of readdirSync(p, { withFileTypes: true })) {
      const full = join(p, entry.name);
      const rel = relative(dir, full);
      if (entry.isDirectory()) {
        out.push(`${rel}/`);
        if (depth < maxDepth) walk(full, depth + 1);
      } else out.push(rel);
    }
  };
  if (existsSync(dir)) walk(dir, 1);
  return out.sort();
}

/** What a failed pull must leave as it was: the blob store and the unpacked layers (two levels). */
export function storeSnapshot(dataRoot: string): { blobs: string[]; overlay: string[] } {
  return {
    blobs: listTree(join(dataRoot, 'content', 'blobs')),
    overlay: listTree(join(dataRoot, 'overlay'), 2),
  };
}

/** Files in the daemon's temp area for blobs being written. */
export function tempFiles(dataRoot: string): string[] {
  return listTree(join(dataRoot, 'content', 'tmp'));
}

/** The biggest file size in content/tmp (0 when none): how far a download has got. */
export function largestTempFile(dataRoot: string): number {
  let max = 0;
  for (const f of tempFiles(dataRoot)) {
    try {
      max = Math.max(max, statSync(join(dataRoot, 'content', 'tmp', f)).size);
    } catch {
      // renamed away meanwhile
    }
  }
  return max;
}

export function blobFile(dataRoot: string, digest: string): string {
  return join(dataRoot, 'content', 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
}

/** sha256 of a stored blob, or undefined when it is missing. */
export async function storedDigest(dataRoot: string, digest: string): Promise<string | undefined> {
  const path = blobFile(dataRoot, digest);
  if (!existsSync(path)) return undefined;
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return `sha256:${hash.digest('hex')}`;
}

/** Every blob in content/blobs/sha256 whose contents do not hash to its name. */
export async function corruptBlobs(dataRoot: string): Promise<string[]> {
  const bad: string[] = [];
  for (const name of listTree(join(dataRoot, 'content', 'blobs', 'sha256'))) {
    if ((await storedDigest(dataRoot, name)) !== `sha256:${name}`) bad.push(name);
  }
  return bad;
}
