import type { Cli } from '../../cli.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';

export const spec: CommandSpec = {
  name: 'alert add',
  usage: 'NAME --on CONDITION [OPTIONS]',
  summary: 'Add an alert rule (Polis only)',
  minArgs: 1,
  maxArgs: 1,
  flags: [
    {
      name: 'on',
      type: 'string',
      meta: 'condition',
      help: 'unhealthy | exit | oom | "restarts N in T" | "cpu > X%" | "memory > X%" | "disk > X%" | "component [NAME] unhealthy"',
    },
    {
      name: 'for',
      type: 'string',
      meta: 'duration',
      help: 'How long a cpu/memory/disk/component condition must hold',
    },
    {
      name: 'webhook',
      type: 'string',
      meta: 'url',
      help: 'POST each firing and resolve as JSON to this URL',
    },
    { name: 'secret', type: 'string', help: 'Sign webhook bodies: X-Polis-Signature: sha256=<HMAC hex>' },
    {
      name: 'exec',
      type: 'string',
      meta: 'command',
      help: 'Run this host command (sh -c), the alert as JSON on stdin',
    },
    { name: 'event', type: 'bool', help: "Publish an event of type 'alert' on the event stream" },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const on = str(p, 'on');
  if (!on) {
    cli.err('polis alert add: --on CONDITION is required\n');
    return 125;
  }
  const forText = str(p, 'for');
  const webhook = str(p, 'webhook');
  const secret = str(p, 'secret');
  const exec = str(p, 'exec');
  await cli.client.alerts.add({
    name: p.args[0]!,
    on,
    ...(forText ? { for: forText } : {}),
    ...(webhook ? { webhook } : {}),
    ...(secret ? { secret } : {}),
    ...(exec ? { exec } : {}),
    ...(bool(p, 'event') ? { event: true } : {}),
  });
  cli.out(`${p.args[0]}\n`);
  return 0;
}
