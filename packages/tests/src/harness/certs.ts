import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run.js';

/** One certificate and its key, as PEM files. */
export interface CertFiles {
  cert: string;
  key: string;
}

/** Everything a mutual-TLS test needs, made fresh with the openssl CLI (no committed keys). */
export interface TestPki {
  dir: string;
  ca: string;
  server: CertFiles;
  client: CertFiles;
  /** `OU=polis-readonly`. */
  readonly: CertFiles;
  /** CN `auditor`, for a daemon that lists it in --readonly-client. */
  auditor: CertFiles;
  /** A second CA, and a client certificate it signed. */
  otherCa: string;
  otherClient: CertFiles;
  cleanup(): Promise<void>;
}

async function openssl(args: string[]): Promise<void> {
  const res = await runCommand('openssl', args);
  if (res.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${res.stderr}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}-key.pem`);
  await openssl(
    ['req', '-x509', ...EC, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`]
      .concat(['-addext', 'basicConstraints=critical,CA:TRUE'])
      .concat(['-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
  );
  return { cert, key };
}

async function makeLeaf(
  dir: string,
  name: string,
  subject: string,
  ca: { cert: string; key: string },
  extensions: string,
): Promise<CertFiles> {
  const key = join(dir, `${name}-key.pem`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await openssl(['req', '-new', ...EC, '-keyout', key, '-out', csr, '-subj', subject]);
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial'].concat([
      '-CAserial',
      join(dir, `${name}.srl`),
      '-out',
      cert,
      '-days',
      '2',
      '-extfile',
      ext,
    ]),
  );
  return { cert, key };
}

const CLIENT_EXT = 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n';

/** A CA, a server certificate for 127.0.0.1/localhost, clients of several kinds, and a foreign CA. */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'polis-pki-'));
  try {
    const ca = await makeCa(dir, 'ca');
    const other = await makeCa(dir, 'other-ca');
    return {
      dir,
      ca: ca.cert,
      server: await makeLeaf(
        dir,
        'server',
        '/CN=polisd',
        ca,
        'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
      ),
      client: await makeLeaf(dir, 'client', '/CN=operator', ca, CLIENT_EXT),
      readonly: await makeLeaf(dir, 'readonly', '/OU=polis-readonly/CN=viewer', ca, CLIENT_EXT),
      auditor: await makeLeaf(dir, 'auditor', '/CN=auditor', ca, CLIENT_EXT),
      otherCa: other.cert,
      otherClient: await makeLeaf(dir, 'intruder', '/CN=operator', other, CLIENT_EXT),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** polisd's flags for mutual TLS on tcp://127.0.0.1:PORT with PKI's server files (CN auditor read-only). */
export function tlsDaemonArgs(pki: TestPki, port: number): string[] {
  return [
    '-H',
    `tcp://127.0.0.1:${port}`,
    '--tlsverify',
    '--tlscacert',
    pki.ca,
    '--tlscert',
    pki.server.cert,
    '--tlskey',
    pki.server.key,
    '--readonly-client',
    'auditor',
  ];
}
