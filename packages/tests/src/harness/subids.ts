import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { runCommand } from './run.js';

/** A range in /etc/subuid or /etc/subgid. */
export interface SubRange {
  owner: string;
  start: number;
  count: number;
}

export function readSubRanges(path: string): SubRange[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.trim().split(':'))
    .filter((p) => p.length === 3 && p[0] && !p[0].startsWith('#'))
    .map(([owner, start, count]) => ({ owner: owner!, start: Number(start), count: Number(count) }));
}

/** The first id past every range in both files (at least 100000). */
export function nextFreeSubId(): number {
  const all = [...readSubRanges('/etc/subuid'), ...readSubRanges('/etc/subgid')];
  return Math.max(100000, ...all.map((r) => r.start + r.count));
}

async function must(command: string, args: string[]): Promise<void> {
  const res = await runCommand(command, args);
  if (res.code !== 0) throw new Error(`${command} ${args.join(' ')}: ${res.stderr}`);
}

export interface TestRemapUser {
  name: string;
  /** First host id of its 65536 subordinate uids and gids. */
  start: number;
  /** Deletes the user, its group and its subordinate ranges. */
  remove(): Promise<void>;
}

/** A system user of its own with 65536 subordinate uids and gids, for one test. */
export async function makeRemapUser(): Promise<TestRemapUser> {
  const name = `polisut${randomBytes(3).toString('hex')}`;
  await must('useradd', [
    '--system',
    '--user-group',
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    name,
  ]);
  const start = nextFreeSubId();
  const range = `${start}-${start + 65535}`;
  try {
    await must('usermod', ['--add-subuids', range, '--add-subgids', range, name]);
  } catch (err) {
    await runCommand('userdel', [name]);
    throw err;
  }
  return {
    name,
    start,
    async remove() {
      await runCommand('usermod', ['--del-subuids', range, '--del-subgids', range, name]);
      await must('userdel', [name]);
    },
  };
}

/** Whether a user exists (NSS). */
export async function userExists(name: string): Promise<boolean> {
  return (await runCommand('getent', ['passwd', name])).code === 0;
}

/** The `name:x:gid:` line of a group, or undefined. */
export async function groupLine(name: string): Promise<string | undefined> {
  const res = await runCommand('getent', ['group', name]);
  return res.code === 0 ? res.stdout.trim() : undefined;
}
