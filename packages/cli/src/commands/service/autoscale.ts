import type { Cli } from '../../cli.js';
import { UsageError } from '../../errors.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';

export const spec: CommandSpec = {
  name: 'service autoscale',
  usage: 'STACK/SERVICE --max N [--min N] [--cpu-percent P|--memory-percent P|--requests-per-second R]',
  summary: "Set (or with --off remove) a stack service's autoscale policy, as x-polis-autoscale would",
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'min', type: 'string', help: 'Fewest replicas (default 1)' },
    { name: 'max', type: 'string', help: 'Most replicas' },
    { name: 'cpu-percent', type: 'string', help: 'Target CPU per replica, % of one core' },
    { name: 'memory-percent', type: 'string', help: 'Target memory per replica, % of its limit' },
    { name: 'requests-per-second', type: 'string', help: 'Target requests per second per replica' },
    { name: 'scale-up-cooldown', type: 'string', help: 'Least time between changes up (e.g. 15s)' },
    { name: 'scale-down-cooldown', type: 'string', help: 'Least time before a change down (e.g. 1m)' },
    { name: 'off', type: 'bool', help: 'Remove the policy (the count stays where it is)' },
  ],
};

/** Flag → x-polis-autoscale key; polisd checks the values with the compose loader's parser. */
const KEYS: Record<string, string> = {
  min: 'min',
  max: 'max',
  'cpu-percent': 'target_cpu_percent',
  'memory-percent': 'target_memory_percent',
  'requests-per-second': 'target_requests_per_second',
  'scale-up-cooldown': 'scale_up_cooldown',
  'scale-down-cooldown': 'scale_down_cooldown',
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const m = /^([^/]+)\/([^/]+)$/.exec(p.args[0]!);
  if (!m) throw new UsageError(`"${p.args[0]!}": name the service as STACK/SERVICE`);
  const policy: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(KEYS)) {
    const v = str(p, flag);
    if (v !== undefined) policy[key] = v;
  }
  if (bool(p, 'off')) {
    if (Object.keys(policy).length) throw new UsageError('--off takes no other policy flag');
  } else if (Object.keys(policy).length === 0) {
    throw new UsageError('give the policy (--max and a target such as --cpu-percent), or --off');
  }
  await cli.client.stacks.autoscale(m[1]!, m[2]!, policy);
  return 0;
}
