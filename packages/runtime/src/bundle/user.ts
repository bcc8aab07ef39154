import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError } from '@polis/core';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/**
 * Reads a file of the container's rootfs without following a symlink out of it: an image's
 * /etc/passwd that is a link is treated as absent.
 */
export async function readRootfsFile(rootfs: string, path: string): Promise<string | undefined> {
  const full = join(rootfs, path);
  try {
    const st = await lstat(full);
    if (!st.isFile()) return undefined;
    return await readFile(full, 'utf8');
  } catch {
    return undefined;
  }
}

export function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4 && f[0])
    .map((f) => ({
      name: f[0] as string,
      uid: Number(f[2]),
      gid: Number(f[3]),
      home: f[5] || '/',
    }))
    .filter((e) => Number.isInteger(e.uid) && Number.isInteger(e.gid));
}

export function parseGroup(text: string): { name: string; gid: number; members: string[] }[] {
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3 && f[0])
    .map((f) => ({
      name: f[0] as string,
      gid: Number(f[2]),
      members: (f[3] ?? '').split(',').filter(Boolean),
    }))
    .filter((g) => Number.isInteger(g.gid));
}

const isNumeric = (s: string): boolean => /^\d+$/.test(s);

/** Docker's `--user name|uid[:group|gid]`, resolved against the container's /etc/passwd and /etc/group. */
export async function resolveUser(rootfs: string, spec: string | undefined): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = (spec ?? '').split(':');
  const [passwdText, groupText] = await Promise.all([
    readRootfsFile(rootfs, 'etc/passwd'),
    readRootfsFile(rootfs, 'etc/group'),
  ]);
  const passwd = parsePasswd(passwdText ?? '');
  const groups = parseGroup(groupText ?? '');
  let uid = 0;
  let gid = 0;
  let home = '/root';
  let name: string | undefined = 'root';
  if (userPart !== '') {
    const entry = isNumeric(userPart)
      ? passwd.find((e) => e.uid === Number(userPart))
      : passwd.find((e) => e.name === userPart);
    if (!entry && !isNumeric(userPart)) {
      throw new PolisError(
        'container.start_failed',
        `unable to find user ${userPart}: no matching entries in passwd file`,
        { context: { user: userPart } },
      );
    }
    uid = entry ? entry.uid : Number(userPart);
    gid = entry ? entry.gid : 0;
    home = entry ? entry.home : '/';
    name = entry?.name;
  } else {
    const root = passwd.find((e) => e.uid === 0);
    if (root) home = root.home;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) {
        throw new PolisError(
          'container.start_failed',
          `unable to find group ${groupPart}: no matching entries in group file`,
          { context: { group: groupPart } },
        );
      }
      gid = g.gid;
    }
  }
  const additionalGids = name
    ? groups.filter((g) => g.members.includes(name as string) && g.gid !== gid).map((g) => g.gid)
    : [];
  return { uid, gid, additionalGids, home };
}
