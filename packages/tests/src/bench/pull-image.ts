/**
 * The pull benchmark's image: several gzip layers of mixed content, so that both the network and gzip
 * have real work: incompressible random files (one big, many small), text-like files (log lines, many
 * small ones like source trees) and zero-ish files (sparse data gzip squeezes to almost nothing).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestRegistry } from '../harness/registry.js';
import { OciLayout, readLayoutJson, skopeoPush, tarDir } from '../harness/skopeo.js';

const MIB = 1024 * 1024;

export interface BenchLayer {
  /** The gzip blob in the layout (what the registry serves). */
  blob: string;
  digest: string;
  gzipBytes: number;
  tarBytes: number;
  files: number;
}

export interface BenchImage {
  layout: OciLayout;
  /** `HOST/bench/big:1` in the registry. */
  ref: string;
  layers: BenchLayer[];
  tarBytes: number;
  gzipBytes: number;
  files: number;
}

const WORDS = (
  'GET POST PUT /api/v1/items /healthz user session cache miss hit request response latency ' +
  'error warn info debug worker started finished upstream timeout retry connection pool ' +
  'function return const let import export module require undefined null true false'
).split(' ');

/** mulberry32: crypto's randomInt is too slow for millions of words. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const randomInt = prng(0x9e3779b9);

/** Log-like lines: a fixed vocabulary plus numbers and hex ids, which gzip packs about 3–5×. */
function textLike(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const words = Array.from({ length: 4 + randomInt(8) }, () => WORDS[randomInt(WORDS.length)]);
    const line =
      `2024-01-0${1 + randomInt(9)}T${randomInt(24)}:${randomInt(60)}:${randomInt(60)}Z ` +
      `${randomInt(0x7fffffff).toString(16)} ${words.join(' ')} ${randomInt(100_000)}ms\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

/** Zeros with one random 4 KiB block per MiB. */
function zeroIsh(bytes: number): Buffer {
  const buf = Buffer.alloc(bytes);
  for (let at = 0; at + 4096 <= bytes; at += MIB) randomBytes(4096).copy(buf, at);
  return buf;
}

/** Writes files of random sizes in [min, max) until `total` bytes, in subfolders of 50. */
async function manyFiles(
  dir: string,
  total: number,
  min: number,
  max: number,
  make: (bytes: number) => Buffer,
): Promise<number> {
  let written = 0;
  let n = 0;
  while (written < total) {
    const bytes = Math.min(total - written, min + randomInt(max - min));
    const sub = join(dir, `d${Math.floor(n / 50)}`);
    if (n % 50 === 0) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `f${n}`), make(bytes));
    written += bytes;
    n++;
  }
  return n;
}

/**
 * One layer's tree of about `bytes`: 20% one random file, 15% small random files, 25% small
 * text files, 25% big text files, 15% zero-ish files.
 */
async function fillLayer(dir: string, index: number, bytes: number): Promise<number> {
  const part = (share: number): number => Math.floor(bytes * share);
  const root = join(dir, `layer${index}`);
  await mkdir(join(root, 'opt'), { recursive: true });
  await writeFile(join(root, 'opt', 'blob.bin'), randomBytes(part(0.2)));
  let files = 1;
  files += await manyFiles(join(root, 'usr', 'lib'), part(0.15), 8 * 1024, 64 * 1024, randomBytes);
  files += await manyFiles(join(root, 'usr', 'src'), part(0.25), 2 * 1024, 32 * 1024, textLike);
  files += await manyFiles(join(root, 'var', 'log'), part(0.25), MIB, 4 * MIB, textLike);
  files += await manyFiles(join(root, 'var', 'data'), part(0.15), MIB, 4 * MIB, zeroIsh);
  return files;
}

/**
 * Builds the image in an OCI layout under `work` (layers gzipped at level 1, config with the diff
 * ids) and pushes it to `registry` as `bench/big:1` with skopeo. The layout stays, for tar alone.
 */
export async function makeBenchImage(
  registry: TestRegistry,
  work: string,
  totalMiB: number,
  layerCount: number,
): Promise<BenchImage> {
  const layout = await OciLayout.create(work);
  const tars: string[] = [];
  const files: number[] = [];
  for (let i = 0; i < layerCount; i++) {
    const tree = join(work, `tree${i}`);
    files.push(await fillLayer(tree, i, Math.floor((totalMiB * MIB) / layerCount)));
    tars.push(await tarDir(tree, join(work, `layer${i}.tar`)));
    await rm(tree, { recursive: true, force: true });
  }
  const tarSizes = await Promise.all(tars.map(async (t) => (await stat(t)).size));
  const manifest = await layout.addImage({
    layers: tars.map((tar) => ({ tar, compression: 'gzip' as const })),
    config: { Cmd: ['sh'] },
  });
  for (const t of tars) await rm(t, { force: true });
  const src = await layout.tag('big', manifest);
  const ref = registry.ref('bench/big:1');
  await skopeoPush(src, ref);

  const doc = await readLayoutJson<{ layers: { digest: string; size: number }[] }>(layout, manifest.digest);
  const layers = doc.layers.map((l, i) => ({
    blob: layout.blobPath(l.digest),
    digest: l.digest,
    gzipBytes: l.size,
    tarBytes: tarSizes[i] as number,
    files: files[i] as number,
  }));
  return {
    layout,
    ref,
    layers,
    tarBytes: layers.reduce((a, l) => a + l.tarBytes, 0),
    gzipBytes: layers.reduce((a, l) => a + l.gzipBytes, 0),
    files: layers.reduce((a, l) => a + l.files, 0),
  };
}
