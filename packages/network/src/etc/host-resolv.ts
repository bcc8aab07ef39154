import { readFile } from 'node:fs/promises';
import { parseResolvConf } from './resolv.js';

const SYSTEMD_RESOLVED = '/run/systemd/resolve/resolv.conf';

/**
 * The host resolv.conf a container's should be derived from. When the host's points only at
 * systemd-resolved's stub (127.0.0.53), the file behind the stub lists the real servers, as docker
 * reads it too.
 */
export async function hostResolvConfText(path = '/etc/resolv.conf'): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const servers = parseResolvConf(text).nameservers;
  if (servers.length > 0 && servers.every((s) => s === '127.0.0.53')) {
    const behind = await readFile(SYSTEMD_RESOLVED, 'utf8').catch(() => undefined);
    if (behind !== undefined) return behind;
  }
  return text;
}
