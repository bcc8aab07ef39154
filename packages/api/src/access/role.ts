import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { PolisError } from '@polis/core';

/** What a connection may do: everything, or only read. */
export type Role = 'full' | 'read-only';

/** The `OU` that marks a client certificate as read-only without listing it in the config. */
export const READ_ONLY_OU = 'polis-readonly';

/** The parts of a verified client certificate that decide its role. */
export interface ClientIdentity {
  cn?: string;
  ou: string[];
  /** SHA-256 of the DER certificate, as Node prints it (`AB:CD:…`). */
  fingerprint256?: string;
}

/** `AB:cd:…`, `sha256:abcd…` or `abcd…` → 64 lowercase hex digits; undefined when not a SHA-256. */
function fingerprintOf(text: string): string | undefined {
  const hex = text
    .replace(/^sha256:/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/**
 * A client is read-only when its certificate has `OU=polis-readonly`, or when it is listed in the
 * daemon's `readonly-clients`: an entry that is a SHA-256 fingerprint names one certificate, any other
 * entry (optionally written `CN=name`) names a subject CN. Unix-socket and plain loopback clients carry
 * no certificate and keep full access: the socket's mode and group already decide who reaches them.
 */
export function roleOf(identity: ClientIdentity | undefined, readonlyClients: readonly string[]): Role {
  if (!identity) return 'full';
  if (identity.ou.includes(READ_ONLY_OU)) return 'read-only';
  const print = identity.fingerprint256 ? fingerprintOf(identity.fingerprint256) : undefined;
  for (const entry of readonlyClients) {
    const wanted = fingerprintOf(entry);
    if (wanted !== undefined) {
      if (wanted === print) return 'read-only';
    } else if (identity.cn !== undefined && entry.replace(/^CN=/, '') === identity.cn) {
      return 'read-only';
    }
  }
  return 'full';
}

/**
 * The one authorisation rule: a read-only client may send GET and HEAD (lists, inspect, logs, stats,
 * events, archive reads) and nothing else; a connection upgrade (attach, exec start) is refused even
 * on GET, since the hijacked stream writes to the container.
 */
export function authorize(role: Role, method: string, upgrade: boolean): void {
  if (role === 'full') return;
  if ((method === 'GET' || method === 'HEAD') && !upgrade) return;
  throw new PolisError(
    'access.read_only',
    `this client certificate is read-only: ${method}${upgrade ? ' with a connection upgrade' : ''} is not allowed (only GET and HEAD requests are)`,
    { context: { method, upgrade } },
  );
}

/** The verified peer certificate of a TLS connection; undefined for a unix socket or plain TCP. */
export function identityOf(socket: Socket): ClientIdentity | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (!tls.encrypted || typeof tls.getPeerCertificate !== 'function') return undefined;
  const cert = tls.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const subject = (cert.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());
  const cn = list(subject.CN)[0];
  return {
    ...(cn !== undefined ? { cn } : {}),
    ou: list(subject.OU),
    ...(cert.fingerprint256 ? { fingerprint256: cert.fingerprint256 } : {}),
  };
}
