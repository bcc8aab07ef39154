/**
 * Routes that wait, before they run, for the cleanups of `--rm` containers already answered removed
 * (runtime `lifecycle/cleanup.ts`): what such a container held a moment longer (a volume's mount, a
 * network endpoint, an image's layers under its rootfs, disk space) must be free for what the client
 * does next: `docker run --rm -v v:/d …; docker volume rm v`, `compose run --rm; compose down`.
 */
const PREFIXES = [
  '/volumes',
  '/networks',
  '/images',
  '/build',
  '/system/df',
  '/containers/prune',
  '/polis/v1/volumes',
  '/polis/v1/images',
  '/polis/v1/stacks',
];

/** Whether the route (its pattern, as matched) waits for pending cleanups first. */
export function settlesFirst(pattern: string): boolean {
  return PREFIXES.some((p) => pattern === p || pattern.startsWith(`${p}/`));
}
