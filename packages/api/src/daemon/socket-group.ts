import { PolisError, createLogger, isPolisError, proc } from '@polis/core';

const log = createLogger('polisd');

/** The group that owns the API sockets unless `-G` names another (dockerd's is `docker`). */
export const DEFAULT_SOCKET_GROUP = 'polis';

/** What resolving a group needs from the host; the daemon passes core's proc helper. */
export type Exec = (command: string, args: readonly string[]) => Promise<{ stdout: string }>;

const defaultExec: Exec = (command, args) => proc.run(command, args);

/** `getent group NAME` → its gid (NSS, so LDAP groups count too); undefined when there is none. */
async function lookupGid(name: string, exec: Exec): Promise<number | undefined> {
  try {
    const line = (await exec('getent', ['group', name])).stdout.split('\n')[0] ?? '';
    const gid = Number(line.split(':')[2]);
    return Number.isInteger(gid) ? gid : undefined;
  } catch (err) {
    // getent exits 2 for "no such group"; anything else is a real failure.
    if (isPolisError(err, 'process.failed') && err.context.exitCode === 2) return undefined;
    throw err;
  }
}

/**
 * The gid for the sockets (`-G`). '' is root's group. The default `polis` group is made with
 * `groupadd --system` when missing, and if that fails the sockets stay root's with a warning (they are
 * still 0660, so only root can connect). Any other name must exist: a typo must not open the socket.
 */
export async function resolveSocketGroup(name: string, exec: Exec = defaultExec): Promise<number> {
  if (name === '') return 0;
  if (/^\d+$/.test(name)) return Number(name);
  const gid = await lookupGid(name, exec);
  if (gid !== undefined) return gid;
  if (name !== DEFAULT_SOCKET_GROUP) {
    throw new PolisError(
      'request.invalid',
      `group "${name}" not found: create it (groupadd ${name}) or choose another with -G`,
      { context: { group: name } },
    );
  }
  try {
    await exec('groupadd', ['--system', name]);
    const made = await lookupGid(name, exec);
    if (made !== undefined) {
      log.info('created the API socket group', { group: name, gid: made });
      return made;
    }
  } catch (err) {
    log.warn('could not create the API socket group; the sockets stay root-only', {
      group: name,
      error: err,
    });
    return 0;
  }
  log.warn('the API socket group is still missing after groupadd; the sockets stay root-only', {
    group: name,
  });
  return 0;
}
