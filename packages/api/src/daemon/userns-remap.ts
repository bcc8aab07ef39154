import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  PolisError,
  createLogger,
  errnoCode,
  mappingsFrom,
  parseSubordinateIds,
  proc,
  type IdMappings,
  type SubordinateRange,
} from '@polis/core';

const log = createLogger('userns');

/** The user `--userns-remap default` stands for (dockerd's is `dockremap`). */
export const DEFAULT_REMAP_USER = 'polis';
/** How many ids `default` gets when it has none: a full 16-bit range, as dockerd gives `dockremap`. */
const DEFAULT_RANGE = 65536;
/** Where new ranges start when the files are empty: shadow-utils' SUB_UID_MIN. */
const FIRST_SUBORDINATE = 100000;

export interface RemapFiles {
  subuid: string;
  subgid: string;
}

const HOST_FILES: RemapFiles = { subuid: '/etc/subuid', subgid: '/etc/subgid' };

interface Account {
  name: string;
  id: number;
}

/**
 * Resolves `--userns-remap` into uid and gid maps from the subordinate id files. `default` makes the
 * system user `polis` (no login, no home) and gives it 65536 ids in both files when it has none, through
 * useradd/usermod so the files are edited under shadow-utils' own locks.
 */
export async function resolveUsernsRemap(value: string, files: RemapFiles = HOST_FILES): Promise<IdMappings> {
  const isDefault = value === 'default';
  const [userName, groupName] = isDefault ? [DEFAULT_REMAP_USER, DEFAULT_REMAP_USER] : value.split(':');
  if (!userName) throw invalid(`invalid --userns-remap "${value}"`);
  let user = await lookup('passwd', userName);
  if (!user && isDefault) {
    log.info('creating the user namespace remap user', { user: userName });
    // The API socket's group may be called polis already: then the user joins it rather than failing.
    const group = (await lookup('group', userName)) ? ['--gid', userName] : ['--user-group'];
    await proc.run('useradd', [
      '--system',
      ...group,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      userName,
    ]);
    user = await lookup('passwd', userName);
  }
  if (!user) throw invalid(`--userns-remap: no such user "${userName}"`);
  const group = await lookup('group', groupName ?? user.name);
  if (!group) throw invalid(`--userns-remap: no such group "${groupName ?? user.name}"`);
  if (isDefault) await ensureDefaultRanges(user, files);
  const mappings = {
    uids: mappingsFrom(await readRanges(files.subuid), [user.name, String(user.id)]),
    gids: mappingsFrom(await readRanges(files.subgid), [group.name, String(group.id)]),
  };
  if (mappings.uids.length === 0)
    throw invalid(`no subuid ranges found for user "${user.name}" in ${files.subuid}`);
  if (mappings.gids.length === 0)
    throw invalid(`no subgid ranges found for group "${group.name}" in ${files.subgid}`);
  return mappings;
}

/** Gives the default user one range in each file it has none in, above every range there. */
async function ensureDefaultRanges(user: Account, files: RemapFiles): Promise<void> {
  const uids = await readRanges(files.subuid);
  const gids = await readRanges(files.subgid);
  const owns = (r: SubordinateRange): boolean => r.owner === user.name || r.owner === String(user.id);
  const hasUids = uids.some(owns);
  const hasGids = gids.some(owns);
  if (hasUids && hasGids) return;
  // One start for both files, past every range in either, so the uid and gid of a mapped id agree.
  const start = Math.max(FIRST_SUBORDINATE, ...[...uids, ...gids].map((r) => r.start + r.count));
  const range = `${start}-${start + DEFAULT_RANGE - 1}`;
  const args = [
    ...(hasUids ? [] : ['--add-subuids', range]),
    ...(hasGids ? [] : ['--add-subgids', range]),
    user.name,
  ];
  log.info('adding subordinate ids', { user: user.name, range });
  await proc.run('usermod', args);
}

async function readRanges(path: string): Promise<SubordinateRange[]> {
  try {
    return parseSubordinateIds(await readFile(path, 'utf8'));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}

/** A user or group by name or numeric id, through NSS (`getent`); undefined when there is none. */
async function lookup(db: 'passwd' | 'group', key: string): Promise<Account | undefined> {
  const out = await proc.run('getent', [db, key], { okCodes: [0, 2] });
  const [name, , id] = out.stdout.trim().split('\n')[0]?.split(':') ?? [];
  if (out.code !== 0 || !name || !/^\d+$/.test(id ?? '')) return undefined;
  return { name, id: Number(id) };
}

function invalid(message: string): PolisError {
  return new PolisError('request.invalid', message);
}

/**
 * The runtime mounts a remapped container's rootfs as the mapped root, so every directory above the data
 * root must let it pass. dockerd checks the same at start rather than fail at each container's start.
 */
export async function checkRemappedAccess(
  dataRoot: string,
  root: { uid: number; gid: number },
): Promise<void> {
  for (let dir = dirname(dataRoot); ; dir = dirname(dir)) {
    const st = await stat(dir);
    const passes =
      (st.mode & 0o001) !== 0 ||
      (st.gid === root.gid && (st.mode & 0o010) !== 0) ||
      (st.uid === root.uid && (st.mode & 0o100) !== 0);
    if (!passes) {
      throw invalid(
        `a directory above the data root (${dir}) does not let the remapped root (uid ${root.uid}) through; allow o+x on it`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}
