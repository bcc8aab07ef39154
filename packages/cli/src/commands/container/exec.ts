import type { ExecCreateBody } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { expandEnv, parseKeyValueFile } from '../../options/kv-file.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../terminal/detach-keys.js';
import { runSession } from '../../terminal/session.js';
import { lacksTerminal, monitorSize, NOT_A_TTY } from '../../terminal/terminal.js';

export const spec: CommandSpec = {
  name: 'exec',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  summary: 'Execute a command in a running container',
  aliases: ['container exec'],
  interspersed: false,
  minArgs: 2,
  flags: [
    { name: 'detach', short: 'd', type: 'bool', help: 'Detached mode: run command in the background' },
    { name: 'detach-keys', type: 'string', help: 'Override the key sequence for detaching a container' },
    { name: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
    { name: 'env-file', type: 'list', help: 'Read in a file of environment variables' },
    { name: 'interactive', short: 'i', type: 'bool', help: 'Keep STDIN open even if not attached' },
    { name: 'privileged', type: 'bool', help: 'Give extended privileges to the command' },
    { name: 'tty', short: 't', type: 'bool', help: 'Allocate a pseudo-TTY' },
    {
      name: 'user',
      short: 'u',
      type: 'string',
      help: 'Username or UID (format: "<name|uid>[:<group|gid>]")',
    },
    { name: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
  ],
};

/** The flags as docker's `parseExec` turns them into the exec's configuration. */
export function execBody(p: Parsed, env: NodeJS.ProcessEnv, readFile: (f: string) => string): ExecCreateBody {
  const detach = bool(p, 'detach');
  const lookup = (k: string): string | undefined => env[k];
  const body: ExecCreateBody = {
    Cmd: p.args.slice(1),
    Env: [
      ...list(p, 'env-file').flatMap((f) => parseKeyValueFile(readFile(f), f, lookup)),
      ...list(p, 'env').map((e) => expandEnv(e, lookup)),
    ],
    Tty: bool(p, 'tty'),
    Privileged: bool(p, 'privileged'),
    AttachStdin: bool(p, 'interactive') && !detach,
    AttachStdout: !detach,
    AttachStderr: !detach,
  };
  const user = str(p, 'user');
  if (user) body.User = user;
  const workdir = str(p, 'workdir');
  if (workdir) body.WorkingDir = workdir;
  const keys = str(p, 'detach-keys');
  if (keys) body.DetachKeys = keys;
  return body;
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const body = execBody(p, cli.env, (f) => process.getBuiltinModule('node:fs').readFileSync(f, 'utf8'));
  const detach = bool(p, 'detach');
  const tty = body.Tty === true;
  const stdin = body.AttachStdin === true;
  if (!detach && lacksTerminal(cli, stdin, tty)) {
    cli.err(`${NOT_A_TTY}\n`);
    return 1;
  }
  const detachKeys = parseDetachKeys(body.DetachKeys ?? DEFAULT_DETACH_KEYS);
  const exec = cli.client.exec;
  const { Id } = await exec.create(p.args[0] as string, body);
  if (detach) {
    await exec.startDetached(Id);
    return 0;
  }
  const attached = await exec.start(Id, { tty, stdin });
  const stopResize = tty ? monitorSize(cli.stdout, (size) => exec.resize(Id, size)) : undefined;
  const end = await runSession(cli, { attached, stdin, tty, detachKeys });
  stopResize?.();
  if (end === 'detached') {
    cli.err('read escape sequence\n');
    return 0;
  }
  return exec.exitCode(Id);
}
