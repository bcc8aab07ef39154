import assert from 'node:assert/strict';
import type { CommandResult } from './run.js';

/** Asserts a command succeeded (showing its stderr when not) and returns its trimmed stdout. */
export function ok(res: CommandResult, what = 'command'): string {
  assert.equal(res.code, 0, `${what} exited ${res.code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  return res.stdout.trim();
}

/** Non-empty output lines. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}
