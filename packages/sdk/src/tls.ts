import { PolisError } from '@polis/core/errors';

// node:fs, node:os and node:path are taken from the process when TLS is in use, never imported: under
// Bun (the CLI's single executable) a static import of node:fs alone costs every command's start ~4 ms.
const nodeFs = () => process.getBuiltinModule('node:fs');
const nodePath = () => process.getBuiltinModule('node:path');

/** TLS to a tcp:// daemon, as PEM file paths (docker's `--tlscacert/--tlscert/--tlskey`). */
export interface ClientTls {
  /** The CA that signed the daemon's certificate; the system's roots when absent. */
  caFile?: string;
  /** This client's certificate and key, which a `--tlsverify` daemon requires. */
  certFile?: string;
  keyFile?: string;
  /** Check the daemon's certificate (`--tlsverify`); false is docker's `--tls` alone. */
  verify: boolean;
}

/** The TLS flags as given on a command line; unset ones fall back to the environment. */
export interface TlsFlags {
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

/**
 * docker's rules: TLS is on with `--tls`, `--tlsverify`, DOCKER_TLS or DOCKER_TLS_VERIFY (any non-empty
 * value; POLIS_ names first); the files default to ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (or
 * ~/.docker), and a default file that does not exist is left out. Undefined when TLS is off.
 */
export function resolveTls(
  flags: TlsFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): ClientTls | undefined {
  const verify = flags.tlsverify ?? Boolean(env.POLIS_TLS_VERIFY || env.DOCKER_TLS_VERIFY);
  const on = verify || (flags.tls ?? Boolean(env.POLIS_TLS || env.DOCKER_TLS));
  if (!on) return undefined;
  const dir =
    env.POLIS_CERT_PATH ||
    env.DOCKER_CERT_PATH ||
    nodePath().join(process.getBuiltinModule('node:os').homedir(), '.docker');
  const pick = (given: string | undefined, name: string): string | undefined => {
    if (given !== undefined) return given;
    const file = nodePath().join(dir, name);
    return nodeFs().existsSync(file) ? file : undefined;
  };
  const caFile = pick(flags.tlscacert, 'ca.pem');
  const certFile = pick(flags.tlscert, 'cert.pem');
  const keyFile = pick(flags.tlskey, 'key.pem');
  return {
    verify,
    ...(caFile !== undefined ? { caFile } : {}),
    ...(certFile !== undefined ? { certFile } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
  };
}

/** The options node:https takes, read from the files now so a bad path is an error before any request. */
export interface TlsRequestOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

function read(path: string, what: string): Buffer {
  try {
    return nodeFs().readFileSync(path);
  } catch (err) {
    throw new PolisError(
      'request.invalid',
      `could not read ${what} ${JSON.stringify(path)}: ${(err as Error).message}`,
      {
        context: { path },
      },
    );
  }
}

export function tlsRequestOptions(tls: ClientTls): TlsRequestOptions {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new PolisError(
      'request.invalid',
      'a client certificate needs its key, and a key its certificate (--tlscert and --tlskey)',
    );
  }
  return {
    ...(tls.caFile !== undefined ? { ca: read(tls.caFile, 'CA certificate') } : {}),
    ...(tls.certFile !== undefined ? { cert: read(tls.certFile, 'client certificate') } : {}),
    ...(tls.keyFile !== undefined ? { key: read(tls.keyFile, 'client key') } : {}),
    rejectUnauthorized: tls.verify,
  };
}
