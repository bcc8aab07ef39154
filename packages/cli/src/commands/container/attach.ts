import type { Cli } from '../../cli.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../terminal/detach-keys.js';
import { runSession } from '../../terminal/session.js';
import { lacksTerminal, monitorSize, NOT_A_TTY } from '../../terminal/terminal.js';
import { proxySignals } from './signals.js';

export const spec: CommandSpec = {
  name: 'attach',
  usage: '[OPTIONS] CONTAINER',
  summary: 'Attach local standard input, output, and error streams to a running container',
  aliases: ['container attach'],
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'detach-keys', type: 'string', help: 'Override the key sequence for detaching a container' },
    { name: 'no-stdin', type: 'bool', help: 'Do not attach STDIN' },
    { name: 'sig-proxy', type: 'bool', help: 'Proxy all received signals to the process', default: true },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const containers = cli.client.containers;
  const c = await containers.inspect(p.args[0] as string);
  const refusal = !c.State.Running
    ? 'You cannot attach to a stopped container, start it first'
    : c.State.Paused
      ? 'You cannot attach to a paused container, unpause it first'
      : c.State.Restarting
        ? 'You cannot attach to a restarting container, wait until it is running'
        : undefined;
  if (refusal !== undefined) {
    cli.err(`${refusal}\n`);
    return 1;
  }
  const tty = c.Config.Tty === true;
  if (lacksTerminal(cli, !bool(p, 'no-stdin'), tty)) {
    cli.err(`${NOT_A_TTY}\n`);
    return 1;
  }
  const stdin = !bool(p, 'no-stdin') && c.Config.OpenStdin === true;
  const keys = str(p, 'detach-keys');
  const detachKeys = parseDetachKeys(keys ?? DEFAULT_DETACH_KEYS);
  // Registered first, so an exit right after the attach is not missed.
  const pending = await containers.startWait(c.Id, { condition: 'not-running' });
  const attached = await containers.attach(c.Id, {
    stream: true,
    stdin,
    stdout: true,
    stderr: true,
    detachKeys: keys,
    tty,
  });
  const stopResize = tty ? monitorSize(cli.stdout, (size) => containers.resize(c.Id, size)) : undefined;
  const stopProxy = p.values['sig-proxy'] !== false && !tty ? proxySignals(cli, c.Id) : undefined;
  const end = await runSession(cli, { attached, stdin, tty, detachKeys, detachWithoutStdin: true });
  stopResize?.();
  stopProxy?.();
  if (end === 'detached') {
    cli.err('read escape sequence\n');
    return 0;
  }
  const result = await pending.result;
  if (result.Error?.Message) throw new Error(result.Error.Message);
  return result.StatusCode;
}
