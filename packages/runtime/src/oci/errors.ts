import { readFile } from 'node:fs/promises';
import { PolisError, isPolisError } from '@polis/core';

/**
 * crun and runc run with `--log-format=json`; their own words come back as JSON lines
 * (`{"level":"error","msg":"…"}`), on stderr or in the `--log` file. This pulls out the last message.
 */
export function runtimeMessage(text: string): string | undefined {
  let last: string | undefined;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    try {
      const parsed = JSON.parse(trimmed) as { msg?: string; level?: string };
      if (
        parsed.msg &&
        (parsed.level === undefined || parsed.level === 'error' || parsed.level === 'fatal')
      ) {
        last = parsed.msg;
      }
    } catch {
      last = trimmed;
    }
  }
  return last;
}

export async function runtimeLogMessage(logFile: string): Promise<string | undefined> {
  try {
    return runtimeMessage(await readFile(logFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Rewraps a failed runtime invocation with the runtime's own message. */
export function runtimeError(verb: string, id: string, err: unknown): PolisError {
  if (isPolisError(err) && err.code === 'process.failed') {
    const stderr = String(err.context.stderr ?? '');
    const msg = runtimeMessage(stderr) ?? err.message;
    return new PolisError('runtime.failed', `${verb} ${id}: ${msg}`, { cause: err, context: { id, verb } });
  }
  if (isPolisError(err)) return err;
  return new PolisError('runtime.failed', `${verb} ${id}: ${(err as Error).message}`, { cause: err });
}
