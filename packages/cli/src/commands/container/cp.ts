import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { proc } from '@polis/core';
import { isDirMode, isSymlinkMode, type ContainerPathStat } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import {
  prepareCopy,
  renameTransform,
  splitCpArg,
  splitPathDirEntry,
  type CopyInfo,
} from '../../cp/paths.js';
import { extractFile, fileTar } from '../../cp/single-file.js';

export const spec: CommandSpec = {
  name: 'cp',
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tpolis cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  summary: 'Copy files/folders between a container and the local filesystem',
  aliases: ['container cp'],
  minArgs: 2,
  maxArgs: 2,
  flags: [
    { name: 'archive', short: 'a', type: 'bool', help: 'Archive mode (copy all uid/gid information)' },
    { name: 'follow-link', short: 'L', type: 'bool', help: 'Always follow symbol link in SRC_PATH' },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress progress output during copy' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [srcArg, dstArg] = p.args as [string, string];
  const src = splitCpArg(srcArg);
  const dst = splitCpArg(dstArg);
  if (src.path === '') throw new Error('source can not be empty');
  if (dst.path === '') throw new Error('destination can not be empty');
  if (src.container !== undefined && dst.container !== undefined) {
    throw new Error('copying between containers is not supported');
  }
  if (src.container !== undefined) {
    await copyOut(cli, src.container, src.path, dst.path, bool(p, 'follow-link'));
  } else if (dst.container !== undefined) {
    await copyIn(cli, src.path, dst.container, dst.path, bool(p, 'archive'), bool(p, 'follow-link'));
  } else {
    throw new Error('must specify at least one container source');
  }
  return 0;
}

/** A local path made absolute, keeping the trailing `/` or `/.` that changes what cp does. */
function localPath(path: string): string {
  const abs = resolve(path);
  if (path.endsWith('/.')) return `${abs === '/' ? '' : abs}/.`;
  if (path.endsWith('/') && abs !== '/') return `${abs}/`;
  return abs;
}

/** A symlink's target named by the daemon, taken relative to the link's directory when not absolute. */
function linkTargetOf(path: string, st: ContainerPathStat): string {
  return isAbsolute(st.linkTarget) ? st.linkTarget : posix.join(splitPathDirEntry(path)[0], st.linkTarget);
}

async function copyOut(
  cli: Cli,
  container: string,
  srcPath: string,
  dstPath: string,
  follow: boolean,
): Promise<void> {
  let path = srcPath;
  let rebase: string | undefined;
  if (follow) {
    const st = await cli.client.containers.statPath(container, srcPath).catch(() => undefined);
    if (st && isSymlinkMode(st.mode)) {
      path = linkTargetOf(srcPath, st);
      rebase = splitPathDirEntry(srcPath)[1];
    }
  }
  const { stat: st, stream } = await cli.client.containers.getArchive(container, path);
  if (dstPath === '-') {
    await pipeline(stream, cli.stdout, { end: false });
    return;
  }
  const dst = await localDestination(localPath(dstPath));
  // The daemon names the entries after the last component it was asked for.
  const inArchive = splitPathDirEntry(path)[1];
  const plan = prepareCopy({ isDir: isDirMode(st.mode), base: rebase ?? inArchive }, dst);
  if ('error' in plan) {
    stream.destroy();
    throw new Error(plan.error);
  }
  // docker extracts without changing owners (NoLchown) and keeps the archive's modes.
  const args = ['-x', '-p', '--no-same-owner', '-f', '-', '-C', plan.dir];
  const final = plan.rename?.[1] ?? rebase ?? inArchive;
  if (!isDirMode(st.mode) && (await extractFile(stream, inArchive, join(plan.dir, final)))) return;
  if (final !== inArchive) args.push(`--transform=${renameTransform(inArchive, final)}`);
  await throughTar(args, stream);
}

/** docker's `CopyInfoDestinationPath`: follows the local destination; a missing one needs its parent. */
async function localDestination(path: string): Promise<CopyInfo> {
  try {
    const st = await stat(path);
    return { path, exists: true, isDir: st.isDirectory() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const parent = splitPathDirEntry(path)[0];
  const pst = await stat(parent);
  if (!pst.isDirectory()) throw new Error('not a directory');
  return { path, exists: false, isDir: false };
}

async function copyIn(
  cli: Cli,
  srcPath: string,
  container: string,
  dstPath: string,
  archive: boolean,
  follow: boolean,
): Promise<void> {
  const containers = cli.client.containers;
  // As docker: the destination's stat decides the plan; a failed stat means "does not exist (yet)".
  let dstInfo: CopyInfo = { path: dstPath, exists: false, isDir: false };
  let st = await containers.statPath(container, dstPath).catch(() => undefined);
  if (st && isSymlinkMode(st.mode)) {
    dstInfo.path = linkTargetOf(dstPath, st);
    st = await containers.statPath(container, dstInfo.path).catch(() => undefined);
  }
  if (st) {
    // A device, pipe or socket (Go's ModeDevice, ModeNamedPipe, ModeSocket bits) cannot be written over.
    if (Math.floor(st.mode / 2 ** 24) % 8 !== 0) {
      throw new Error(`destination "${container}:${dstPath}" must be a directory or a regular file`);
    }
    dstInfo = { ...dstInfo, exists: true, isDir: isDirMode(st.mode) };
  }
  const options = { noOverwriteDirNonDir: true, copyUIDGID: archive };
  if (srcPath === '-') {
    if (!dstInfo.isDir) throw new Error(`destination "${container}:${dstPath}" must be a directory`);
    await containers.putArchive(container, dstInfo.path, cli.stdin, options);
    return;
  }
  let source = localPath(srcPath);
  let rebase: string | undefined;
  if (follow) {
    const real = await realpath(source);
    if (splitPathDirEntry(real)[1] !== splitPathDirEntry(source)[1]) rebase = splitPathDirEntry(source)[1];
    source = real;
  }
  const [srcDir, srcBase] = splitPathDirEntry(source);
  const sst = await stat(source).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`lstat ${source}: no such file or directory`, { cause: err });
  });
  const name = rebase ?? srcBase;
  const plan = prepareCopy({ isDir: sst.isDirectory(), base: name }, dstInfo);
  if ('error' in plan) throw new Error(plan.error);
  const to = plan.rename?.[1] ?? name;
  const file = sst.isDirectory() ? undefined : await fileTar(source, to);
  if (file) {
    await containers.putArchive(container, plan.dir, file, options);
    return;
  }
  const args = ['-c', '-f', '-', '-C', srcDir];
  if (to !== srcBase) args.push(`--transform=${renameTransform(srcBase, to)}`);
  args.push('--', srcBase);
  const tar = proc.start('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = proc.waitFor(tar, 'tar', args);
  await Promise.all([containers.putArchive(container, plan.dir, tar.stdout as Readable, options), done]);
}

/** GNU tar reading `input` on its stdin. */
async function throughTar(args: string[], input: Readable): Promise<void> {
  const tar = proc.start('tar', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  const done = proc.waitFor(tar, 'tar', args);
  await Promise.all([pipeline(input, tar.stdin!), done]);
}
