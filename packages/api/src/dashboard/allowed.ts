/**
 * The API calls the page makes, and no others: behind the dashboard's token a stolen cookie can list,
 * watch, start, stop, restart and remove containers, but not create one, exec in one or read its files.
 */
const ALLOWED: Record<string, RegExp[]> = {
  GET: [
    /^\/_ping$/,
    /^\/version$/,
    /^\/info$/,
    /^\/system\/df$/,
    /^\/containers\/json$/,
    /^\/containers\/[^/]+\/(json|logs|stats)$/,
    /^\/images\/json$/,
    /^\/networks$/,
    /^\/networks\/[^/]+$/,
    /^\/volumes$/,
    /^\/events$/,
    /^\/polis\/v1\/(health|logs|alerts|alerts\/history)$/,
  ],
  POST: [/^\/containers\/[^/]+\/(start|stop|restart)$/],
  DELETE: [/^\/containers\/[^/]+$/],
};

/** Whether the page may make this call; `path` is the API path without a version prefix. */
export function dashboardMayCall(method: string, path: string): boolean {
  const list = ALLOWED[method === 'HEAD' ? 'GET' : method] ?? [];
  return list.some((re) => re.test(path));
}
