/**
 * Routes that wait, before they run, for the cleanups of `--rm` containers already answered removed
 * (runtime `lifecycle/cleanup.ts`): what such a container held a moment longer (a volume's mount, a
 * network endpoint, an image's layers under its rootfs, disk space) must be free for what the client
 * does next: `docker run --rm -v v:/d …; docker volume rm v`, `compose run --rm; compose down`. Network
 * routes need only the cleanups' network part (endpoints, ports, addresses), the others all of it.
 */
const ALL = [
  '/volumes',
  '/images',
  '/build',
  '/system/df',
  '/containers/prune',
  '/polis/v1/volumes',
  '/polis/v1/images',
  '/polis/v1/stacks',
];
const NETWORK = ['/networks'];

const under = (pattern: string, prefixes: readonly string[]): boolean =>
  prefixes.some((p) => pattern === p || pattern.startsWith(`${p}/`));

/** What the route (its pattern, as matched) waits for first: all of the pending cleanups, their network part, or nothing. */
export function settlesFirst(pattern: string): 'all' | 'network' | undefined {
  if (under(pattern, ALL)) return 'all';
  if (under(pattern, NETWORK)) return 'network';
  return undefined;
}
