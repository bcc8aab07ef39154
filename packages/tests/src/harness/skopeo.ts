import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { runCommand, type CommandResult } from './run.js';

const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  tar: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

export interface LayerInput {
  /** An uncompressed tar file. */
  tar: string;
  compression: 'gzip' | 'zstd' | 'none';
}

export interface ImageInput {
  layers: LayerInput[];
  architecture?: string;
  os?: string;
  config?: { Env?: string[]; Labels?: Record<string, string>; Cmd?: string[]; Entrypoint?: string[] };
}

/** The OCI architecture of this host (Node's `x64` is OCI's `amd64`). */
export function hostArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

/** The other platform used for multi-platform tests. */
export function otherArch(): string {
  return hostArch() === 'arm64' ? 'amd64' : 'arm64';
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * An OCI image layout (oci-layout, index.json, blobs/sha256) written by hand, so a test decides
 * every byte and media type; `skopeo copy oci:DIR:TAG docker://…` then pushes it.
 */
export class OciLayout {
  private readonly refs: Descriptor[] = [];

  private constructor(readonly dir: string) {}

  static async create(parent?: string): Promise<OciLayout> {
    const dir = await mkdtemp(join(parent ?? tmpdir(), 'polis-oci-'));
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const layout = new OciLayout(dir);
    await layout.writeIndex();
    return layout;
  }

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  }

  async addJson(mediaType: string, value: unknown): Promise<Descriptor> {
    const data = Buffer.from(JSON.stringify(value));
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    await writeFile(this.blobPath(digest), data);
    return { mediaType, digest, size: data.length };
  }

  /** Compresses a tar into a blob; returns its descriptor and the diff id (digest of the tar). */
  async addLayer(layer: LayerInput): Promise<{ descriptor: Descriptor; diffId: string }> {
    const diffId = await sha256File(layer.tar);
    const tmp = join(this.dir, `layer-${randomBytes(6).toString('hex')}`);
    if (layer.compression === 'gzip') {
      await pipeline(createReadStream(layer.tar), createGzip({ level: 1 }), createWriteStream(tmp));
    } else if (layer.compression === 'zstd') {
      const res = await runCommand('zstd', ['-q', '-3', '-f', '-o', tmp, layer.tar]);
      if (res.code !== 0) throw new Error(`zstd failed: ${res.stderr}`);
    } else {
      await pipeline(createReadStream(layer.tar), createWriteStream(tmp));
    }
    const digest = await sha256File(tmp);
    const { size } = await stat(tmp);
    await rename(tmp, this.blobPath(digest));
    const mediaType = layer.compression === 'none' ? MT.tar : MT[layer.compression];
    return { descriptor: { mediaType, digest, size }, diffId };
  }

  /** Config + manifest for one platform; the manifest's descriptor carries its platform. */
  async addImage(image: ImageInput): Promise<Descriptor> {
    const layers: Descriptor[] = [];
    const diffIds: string[] = [];
    for (const input of image.layers) {
      const { descriptor, diffId } = await this.addLayer(input);
      layers.push(descriptor);
      diffIds.push(diffId);
    }
    const architecture = image.architecture ?? hostArch();
    const os = image.os ?? 'linux';
    const config = await this.addJson(MT.config, {
      created: '2024-01-01T00:00:00Z',
      architecture,
      os,
      config: { Cmd: ['sh'], ...image.config },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'polis test' })),
    });
    const manifest = await this.addJson(MT.manifest, {
      schemaVersion: 2,
      mediaType: MT.manifest,
      config,
      layers,
    });
    return { ...manifest, platform: { architecture, os } };
  }

  async addIndex(manifests: Descriptor[]): Promise<Descriptor> {
    return this.addJson(MT.index, { schemaVersion: 2, mediaType: MT.index, manifests });
  }

  /** Names a manifest or index in index.json, for `oci:DIR:name`. */
  async tag(name: string, descriptor: Descriptor): Promise<string> {
    const { platform: _platform, ...rest } = descriptor;
    this.refs.push({ ...rest, annotations: { 'org.opencontainers.image.ref.name': name } });
    await this.writeIndex();
    return `oci:${this.dir}:${name}`;
  }

  private writeIndex(): Promise<void> {
    return writeFile(
      join(this.dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, mediaType: MT.index, manifests: this.refs }),
    );
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** `tar -cf out -C dir .` with root ownership and fixed mtimes, so equal trees give equal layers. */
export async function tarDir(dir: string, out: string): Promise<string> {
  const res = await runCommand('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=2024-01-01 00:00:00Z',
    '-cf',
    out,
    '-C',
    dir,
    '.',
  ]);
  if (res.code !== 0) throw new Error(`tar failed: ${res.stderr}`);
  return out;
}

/** A layer tar holding the given files (path → content), written under `work`. */
export async function filesTar(
  work: string,
  name: string,
  files: Record<string, string | Buffer>,
): Promise<string> {
  const dir = await mkdtemp(join(work, `${name}-`));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  const tar = await tarDir(dir, join(work, `${name}.tar`));
  await rm(dir, { recursive: true, force: true });
  return tar;
}

/** A layer tar with one file of `mib` MiB of random (incompressible) bytes at /data/<name>. */
export async function randomTar(work: string, name: string, mib: number): Promise<string> {
  const dir = await mkdtemp(join(work, `${name}-`));
  await mkdir(join(dir, 'data'));
  const out = createWriteStream(join(dir, 'data', name));
  for (let i = 0; i < mib; i++) {
    if (!out.write(randomBytes(1024 * 1024))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  const tar = await tarDir(dir, join(work, `${name}.tar`));
  await rm(dir, { recursive: true, force: true });
  return tar;
}

export interface SkopeoOptions {
  /** `user:password` for the registry side. */
  creds?: string;
  /** Copy every platform of an index (`--all`). */
  all?: boolean;
}

/** `skopeo copy SRC docker://DEST` to a plain-HTTP registry; throws with skopeo's stderr. */
export async function skopeoPush(src: string, dest: string, options: SkopeoOptions = {}): Promise<void> {
  const args = ['copy', '--quiet', '--dest-tls-verify=false'];
  if (options.creds) args.push('--dest-creds', options.creds);
  if (options.all) args.push('--all');
  const res = await runCommand('skopeo', [...args, src, `docker://${dest}`], { timeoutMs: 120_000 });
  if (res.code !== 0) throw new Error(`skopeo copy ${src} ${dest} failed: ${res.stderr}`);
}

/** `skopeo inspect` (`raw`: the manifest as stored) of `docker://REF`. */
export function skopeoInspect(
  ref: string,
  options: { creds?: string; raw?: boolean } = {},
): Promise<CommandResult> {
  const args = ['inspect', '--tls-verify=false'];
  if (options.creds) args.push('--creds', options.creds);
  if (options.raw) args.push('--raw');
  return runCommand('skopeo', [...args, `docker://${ref}`]);
}

/** The digest skopeo sees for `REF` (the manifest or index digest). */
export async function registryDigest(ref: string, creds?: string): Promise<string> {
  const res = await skopeoInspect(ref, { creds });
  if (res.code !== 0) throw new Error(`skopeo inspect ${ref} failed: ${res.stderr}`);
  return (JSON.parse(res.stdout) as { Digest: string }).Digest;
}

/** The layer descriptors of an image manifest as stored in the registry. */
export async function registryLayers(ref: string, creds?: string): Promise<Descriptor[]> {
  const res = await skopeoInspect(ref, { creds, raw: true });
  if (res.code !== 0) throw new Error(`skopeo inspect --raw ${ref} failed: ${res.stderr}`);
  return (JSON.parse(res.stdout) as { layers: Descriptor[] }).layers;
}

/** Reads a JSON blob of a layout (for tests that look inside what they built). */
export async function readLayoutJson<T>(layout: OciLayout, digest: string): Promise<T> {
  return JSON.parse(await readFile(layout.blobPath(digest), 'utf8')) as T;
}
