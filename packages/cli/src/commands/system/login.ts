import type { ReadStream } from 'node:tty';
import {
  configPath,
  DOCKER_HUB_SERVER,
  DockerConfigFile,
  serverKey,
  type RegistryAuth,
} from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { describe } from '../../errors.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';
import { readAll, readLine, readSecret } from '../../terminal/prompt.js';
import { isTerminal } from '../../terminal/terminal.js';

export const spec: CommandSpec = {
  name: 'login',
  usage: '[OPTIONS] [SERVER]',
  summary: 'Log in to a registry',
  maxArgs: 1,
  flags: [
    { name: 'password', short: 'p', type: 'string', help: 'Password' },
    { name: 'password-stdin', type: 'bool', help: 'Take the password from stdin' },
    { name: 'username', short: 'u', type: 'string', help: 'Username' },
  ],
};

/** The flags' checks, before anything is read or sent. */
export function checkLoginFlags(p: Parsed): void {
  if (str(p, 'password') !== undefined && bool(p, 'password-stdin')) {
    throw new Error('--password and --password-stdin are mutually exclusive');
  }
  if (bool(p, 'password-stdin') && !str(p, 'username')) {
    throw new Error('Must provide --username with --password-stdin');
  }
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  checkLoginFlags(p);
  const server = p.args[0] === undefined ? DOCKER_HUB_SERVER : serverKey(p.args[0]);
  const file = new DockerConfigFile(configPath(cli.env));
  let username = str(p, 'username')?.trim() ?? '';
  let password = str(p, 'password') ?? '';
  if (password !== '') cli.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  if (bool(p, 'password-stdin')) password = await readAll(cli.stdin);

  let accepted: { auth: RegistryAuth; token: string } | undefined;
  const stored = username === '' && password === '' ? file.credentials(server) : undefined;
  if (stored) {
    // As docker: stored credentials are tried first, and a prompt follows only if they are refused.
    cli.out('Authenticating with existing credentials...\n');
    try {
      accepted = { auth: stored, token: (await cli.client.auth(stored)).IdentityToken ?? '' };
    } catch (err) {
      cli.err(`Login did not succeed, error: ${describe(err)}\n`);
    }
  }
  if (!accepted) {
    if (username === '' || password === '') {
      ({ username, password } = await prompt(cli, username || stored?.username || '', password));
    }
    const auth: RegistryAuth = { username, password, serveraddress: server };
    accepted = { auth, token: (await cli.client.auth(auth)).IdentityToken ?? '' };
  }

  const { auth } = accepted;
  // A token from the registry replaces the password in the file.
  const identitytoken = accepted.token || auth.identitytoken || '';
  file.store(server, { username: auth.username ?? '', password: auth.password ?? '', identitytoken });
  const helper = file.helperFor(server);
  if (helper !== undefined) {
    cli.err(`WARNING! Polis does not run credential helpers ("${helper}" is configured).\n`);
  }
  if (identitytoken === '') {
    cli.err(`WARNING! Your password will be stored unencrypted in ${file.path}.\n\n`);
  }
  cli.out('Login Succeeded\n');
  return 0;
}

/** docker's `ConfigureAuth`: asks on the terminal for what the flags did not give. */
async function prompt(
  cli: Cli,
  known: string,
  password: string,
): Promise<{ username: string; password: string }> {
  if (!isTerminal(cli.stdin)) throw new Error('Cannot perform an interactive login from a non TTY device');
  cli.out(known !== '' ? `Username (${known}): ` : 'Username: ');
  const typed = ((await readLine(cli.stdin)) ?? '').trim();
  const username = typed === '' ? known : typed;
  if (username === '') throw new Error('Non-null Username Required');
  if (password === '') {
    cli.out('Password: ');
    password = await readSecret(cli.stdin as ReadStream);
    cli.out('\n');
    if (password === '') throw new Error('Password Required');
  }
  return { username, password };
}
