import type { Cli } from '../../cli.js';
import { describe } from '../../errors.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { FUNCTIONS } from '../../format/functions.js';
import { Template } from '../../format/template.js';
import type { InfoResponse } from '@polis/sdk/engine';

export const spec: CommandSpec = {
  name: 'info',
  usage: '[OPTIONS]',
  summary: 'Display system-wide information',
  maxArgs: 0,
  flags: [
    {
      name: 'format',
      short: 'f',
      type: 'string',
      help: "Format output using a custom template: 'json' or a Go template",
    },
  ],
};

/** Binary sizes as docker's `units.BytesSize` ("23.42GiB"). */
function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

function serverLines(info: InfoResponse): string[] {
  const lines = [
    'Server:',
    ` Containers: ${info.Containers ?? 0}`,
    `  Running: ${info.ContainersRunning ?? 0}`,
    `  Paused: ${info.ContainersPaused ?? 0}`,
    `  Stopped: ${info.ContainersStopped ?? 0}`,
    ` Images: ${info.Images ?? 0}`,
    ` Server Version: ${info.ServerVersion ?? ''}`,
    ` Storage Driver: ${info.Driver ?? ''}`,
  ];
  for (const [k, v] of info.DriverStatus ?? []) lines.push(`  ${k}: ${v}`);
  lines.push(` Logging Driver: ${info.LoggingDriver ?? ''}`, ` Cgroup Driver: ${info.CgroupDriver ?? ''}`);
  if (info.CgroupVersion) lines.push(` Cgroup Version: ${info.CgroupVersion}`);
  const runtimes = Object.keys(info.Runtimes ?? {});
  if (runtimes.length) lines.push(` Runtimes: ${runtimes.join(' ')}`);
  if (info.DefaultRuntime) lines.push(` Default Runtime: ${info.DefaultRuntime}`);
  if (info.SecurityOptions?.length) {
    lines.push(' Security Options:', ...info.SecurityOptions.map((o) => `  ${o.replace(/^name=/, '')}`));
  }
  lines.push(
    ` Kernel Version: ${info.KernelVersion ?? ''}`,
    ` Operating System: ${info.OperatingSystem ?? ''}`,
    ` OSType: ${info.OSType ?? ''}`,
    ` Architecture: ${info.Architecture ?? ''}`,
    ` CPUs: ${info.NCPU ?? 0}`,
    ` Total Memory: ${bytesSize(info.MemTotal ?? 0)}`,
    ` Name: ${info.Name ?? ''}`,
    ` ID: ${info.ID ?? ''}`,
    ` Polis Root Dir: ${info.DockerRootDir ?? ''}`,
  );
  if (info.Labels?.length) lines.push(' Labels:', ...info.Labels.map((l) => `  ${l}`));
  return lines;
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const format = str(p, 'format');
  let info: InfoResponse;
  try {
    info = await cli.client.info();
  } catch (err) {
    if (format === undefined) cli.out('Client:\n Context:    default\n Debug Mode: false\n\nServer:\n');
    cli.err(`ERROR: ${describe(err)}\n`);
    return 1;
  }
  if (format === 'json') cli.out(`${JSON.stringify(info)}\n`);
  else if (format !== undefined) cli.out(`${Template.parse(format).execute(info, FUNCTIONS)}\n`);
  else {
    cli.out(`Client:\n Context:    default\n Debug Mode: false\n\n${serverLines(info).join('\n')}\n`);
    for (const w of info.Warnings ?? []) cli.err(`${w}\n`);
  }
  return 0;
}
