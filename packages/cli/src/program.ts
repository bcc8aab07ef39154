/** `polis`: global flags, then the one command file that is needed, loaded on demand. */
import { COMMANDS, GROUPS, type Entry } from './registry.js';
import { describe, StatusError, UsageError } from './errors.js';
import { HelpRequested, helpText, parseArgs } from './flags.js';
import { Cli } from './cli.js';
import { STDERR, STDOUT } from './terminal/stdio.js';
import type { TlsFlags } from '@polis/sdk/engine';

const VERSION = '0.1.0';

function usage(): string {
  const rows = (entries: Record<string, { summary: string }>): string[] =>
    Object.entries(entries).map(([name, e]) => `  ${name.padEnd(12)}${e.summary}`);
  return [
    'Usage:  polis [OPTIONS] COMMAND',
    '',
    'A container engine with the Docker Engine API',
    '',
    'Commands:',
    ...rows(COMMANDS),
    '',
    'Management Commands:',
    ...rows(GROUPS),
    '',
    'Global Options:',
    '  -H, --host string   Daemon socket to connect to (default: $POLIS_HOST, $DOCKER_HOST,',
    '                      unix:///run/polis/polis.sock)',
    '      --tls           Use TLS; implied by --tlsverify (default: $DOCKER_TLS)',
    '      --tlsverify     Use TLS and verify the daemon (default: $DOCKER_TLS_VERIFY)',
    '      --tlscacert     Trust certs signed only by this CA (default: $DOCKER_CERT_PATH/ca.pem)',
    '      --tlscert       Path to TLS certificate file (default: $DOCKER_CERT_PATH/cert.pem)',
    '      --tlskey        Path to TLS key file (default: $DOCKER_CERT_PATH/key.pem)',
    '  -h, --help          Print usage',
    '  -v, --version       Print version information and quit',
    '',
    "Run 'polis COMMAND --help' for more information on a command.",
    '',
  ].join('\n');
}

function groupUsage(name: string): string {
  const group = GROUPS[name] as (typeof GROUPS)[string];
  const rows = Object.entries(group.commands).map(([n, e]) => `  ${n.padEnd(12)}${e.summary}`);
  return [
    `Usage:  polis ${name} COMMAND`,
    '',
    group.summary,
    '',
    'Commands:',
    ...rows,
    '',
    `Run 'polis ${name} COMMAND --help' for more information on a command.`,
    '',
  ].join('\n');
}

const TLS_PATHS = { '--tlscacert': 'tlscacert', '--tlscert': 'tlscert', '--tlskey': 'tlskey' } as const;

export async function main(argv: string[]): Promise<number> {
  let host: string | undefined;
  const tlsFlags: TlsFlags = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    const [name, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    if (name === '--tls' || name === '--tlsverify') {
      const on = inline === undefined || inline === 'true' || inline === '1';
      if (name === '--tls') tlsFlags.tls = on;
      else tlsFlags.tlsverify = on;
    } else if (name in TLS_PATHS) {
      const value = inline ?? argv[++i];
      if (value === undefined) return usageFailure(`flag needs an argument: ${a}`, 'polis');
      tlsFlags[TLS_PATHS[name as keyof typeof TLS_PATHS]] = value;
    } else if (a === '-H' || a === '--host') {
      host = argv[++i];
      if (host === undefined) return usageFailure(`flag needs an argument: ${a}`, 'polis');
    } else if (a.startsWith('--host=')) host = a.slice('--host='.length);
    else if (a.startsWith('-H') && a.length > 2) host = a.slice(2).replace(/^=/, '');
    else if (a === '-v' || a === '--version') {
      STDOUT.write(`Polis version ${VERSION}\n`);
      return 0;
    } else if (a === '-h' || a === '--help') {
      STDOUT.write(usage());
      return 0;
    } else if (a.startsWith('-')) return usageFailure(`unknown flag: ${a}`, 'polis');
    else break;
  }
  const word = argv[i];
  if (word === undefined) {
    STDOUT.write(usage());
    return 0;
  }
  let entry: Entry | undefined = COMMANDS[word];
  let rest = argv.slice(i + 1);
  const group = GROUPS[word];
  if (group) {
    const sub = rest[0];
    if (sub === undefined || sub === '--help' || sub === '-h') {
      STDOUT.write(groupUsage(word));
      return 0;
    }
    entry = group.commands[sub];
    if (!entry) return usageFailure(`unknown command "${sub}" for "polis ${word}"`, `polis ${word}`);
    rest = rest.slice(1);
  }
  if (!entry) return usageFailure(`unknown command: ${word}`, 'polis');
  // The SDK and the command file load together; help, version and usage errors need neither.
  const sdk = import('@polis/sdk/engine');
  sdk.catch(() => undefined);
  const command = await entry.load();
  let parsed;
  try {
    parsed = parseArgs(command.spec, rest);
  } catch (err) {
    if (err instanceof HelpRequested) {
      STDOUT.write(helpText(command.spec));
      return 0;
    }
    if (err instanceof UsageError) {
      const tail = err.showUsage
        ? `\n\nUsage:  polis ${command.spec.name} ${command.spec.usage}\n\n${command.spec.summary}`
        : '';
      STDERR.write(`polis: ${err.message}\nSee 'polis ${command.spec.name} --help'.${tail}\n`);
      return err.showUsage ? 1 : 125;
    }
    throw err;
  }
  const { PolisClient, resolveTls } = await sdk;
  // Resolved here, once, so the client does not read the environment again: no TLS is `false`.
  const tls = resolveTls(tlsFlags, process.env) ?? false;
  const cli = new Cli(PolisClient, host, process.env, undefined, undefined, undefined, tls);
  try {
    return await command.run(cli, parsed);
  } catch (err) {
    STDERR.write(`${describe(err)}\n`);
    return err instanceof StatusError ? err.status : 1;
  } finally {
    cli.close();
  }
}

function usageFailure(message: string, path: string): number {
  STDERR.write(`polis: ${message}\nSee '${path} --help'.\n`);
  return 125;
}
