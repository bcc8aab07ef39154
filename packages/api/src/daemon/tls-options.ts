import { readFile } from 'node:fs/promises';
import { createSecureContext, type TlsOptions } from 'node:tls';
import { PolisError, type DaemonConfig } from '@polis/core';

async function pem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new PolisError('request.invalid', `cannot read the ${what} ${path}: ${(err as Error).message}`, {
      context: { path },
    });
  }
}

/**
 * dockerd's `--tlsverify`: the server's certificate and key, and a client certificate required and
 * verified against the CA during the handshake, so a client without one, or with another CA's, never
 * sends a request. TLS 1.2 is the floor, as dockerd's.
 */
export async function serverTlsOptions(files: NonNullable<DaemonConfig['tls']>): Promise<TlsOptions> {
  const options: TlsOptions = {
    ca: await pem(files.caFile, 'CA certificate (--tlscacert)'),
    cert: await pem(files.certFile, 'server certificate (--tlscert)'),
    key: await pem(files.keyFile, 'server key (--tlskey)'),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  };
  try {
    // Fails now, not at the first client, for a key that does not match its certificate or bad PEM.
    createSecureContext(options);
  } catch (err) {
    throw new PolisError('request.invalid', `invalid TLS files for --tlsverify: ${(err as Error).message}`, {
      context: { ...files },
    });
  }
  return options;
}
