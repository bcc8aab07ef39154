import fs from 'node:fs';
import { parseUpstream, type Upstream } from './upstream.js';

/** The `nameserver` lines of a resolv.conf, in order (loopback ones too: polisd runs in the host's netns). */
export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const up = m ? parseUpstream(m[1]!) : undefined;
    if (up) out.push(up);
  }
  return out;
}

const RECHECK_MS = 5000;

/**
 * The host's resolvers, followed as the host's resolv.conf changes (DHCP, VPNs): the file's mtime is
 * looked at no more than every few seconds, and the file read again only when it changed.
 */
export class HostResolvers {
  private list: Upstream[] = [];
  private mtimeMs = -1;
  private checkedAt = -Infinity;

  constructor(private readonly path = '/etc/resolv.conf') {}

  get(): Upstream[] {
    const now = Date.now();
    if (now - this.checkedAt < RECHECK_MS) return this.list;
    this.checkedAt = now;
    try {
      const mtimeMs = fs.statSync(this.path).mtimeMs;
      if (mtimeMs !== this.mtimeMs) {
        this.list = parseResolvConf(fs.readFileSync(this.path, 'utf8'));
        this.mtimeMs = mtimeMs;
      }
    } catch {
      this.list = [];
      this.mtimeMs = -1;
    }
    return this.list;
  }
}
