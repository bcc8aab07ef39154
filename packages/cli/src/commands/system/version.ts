import type { Cli } from '../../cli.js';
import { describe } from '../../errors.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { API_VERSION, type VersionResponse } from '@polis/sdk/engine';

export const CLIENT_VERSION = '0.1.0';

export const spec: CommandSpec = {
  name: 'version',
  usage: '[OPTIONS]',
  summary: 'Show the Polis version information',
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

/** What runs the CLI: the single executable is Bun's runtime (which also reports a Node version). */
function runtime(): string {
  const bun = (process.versions as Record<string, string | undefined>)['bun'];
  return bun === undefined ? `node ${process.version}` : `bun ${bun} (single executable)`;
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const client = {
    Runtime: runtime(),
    Version: CLIENT_VERSION,
    ApiVersion: API_VERSION,
    NodeVersion: process.version,
    Os: process.platform,
    Arch: process.arch === 'x64' ? 'amd64' : process.arch,
  };
  let server: VersionResponse | undefined;
  let failure: unknown;
  try {
    server = await cli.client.version();
  } catch (err) {
    failure = err;
  }
  const format = str(p, 'format');
  if (format !== undefined) {
    const data = { Client: client, Server: server ?? null };
    if (format === 'json') cli.out(`${JSON.stringify(data)}\n`);
    else {
      // The template engine loads only for a template: a plain `polis version` is start-up and one request.
      const [{ Template }, { FUNCTIONS }] = await Promise.all([
        import('../../format/template.js'),
        import('../../format/functions.js'),
      ]);
      cli.out(`${Template.parse(format).execute(data, FUNCTIONS)}\n`);
    }
  } else {
    const lines = [
      'Client:',
      ` Version:           ${client.Version}`,
      ` API version:       ${client.ApiVersion}`,
      ` Runtime:           ${client.Runtime}`,
      ` OS/Arch:           ${client.Os}/${client.Arch}`,
    ];
    if (server) {
      lines.push('', `Server: ${server.Platform?.Name ?? ''}`.trimEnd());
      const engine = server.Components?.find((c) => c.Name === 'Engine');
      lines.push(
        ' Engine:',
        `  Version:          ${server.Version}`,
        `  API version:      ${server.ApiVersion}${server.MinAPIVersion ? ` (minimum version ${server.MinAPIVersion})` : ''}`,
      );
      if (server.GoVersion) lines.push(`  Go version:       ${server.GoVersion}`);
      if (server.GitCommit) lines.push(`  Git commit:       ${server.GitCommit}`);
      if (server.BuildTime) lines.push(`  Built:            ${server.BuildTime}`);
      lines.push(`  OS/Arch:          ${server.Os}/${server.Arch}`);
      if (server.KernelVersion) lines.push(`  Kernel version:   ${server.KernelVersion}`);
      for (const c of server.Components ?? []) {
        if (c === engine) continue;
        lines.push(` ${c.Name}:`, `  Version:          ${c.Version}`);
      }
    }
    cli.out(`${lines.join('\n')}\n`);
  }
  if (failure !== undefined) {
    cli.err(`${describe(failure)}\n`);
    return 1;
  }
  return 0;
}
