import type { Cli } from '../cli.js';
import { describe } from '../errors.js';

/**
 * Runs `action` for each name, as docker's multi-container verbs do: prints what `action` returns (the
 * name as given) on success and the error on stderr otherwise; exit status 1 when any failed.
 */
export async function forEach(
  cli: Cli,
  names: string[],
  action: (name: string) => Promise<string | undefined>,
): Promise<number> {
  let failed = false;
  for (const name of names) {
    try {
      const line = await action(name);
      if (line !== undefined) cli.out(`${line}\n`);
    } catch (err) {
      failed = true;
      cli.err(`${describe(err)}\n`);
    }
  }
  return failed ? 1 : 0;
}
