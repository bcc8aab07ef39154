import { constants } from 'node:os';
import { PolisError } from '@polis/core';

const byNumber = new Map<number, string>(
  Object.entries(constants.signals).map(([name, num]) => [num as number, name]),
);

/** `TERM`, `SIGTERM`, `sigterm`, `15` → `SIGTERM`; anything else is a 400. */
export function signalName(input: string | number): string {
  const text = String(input).trim();
  if (/^\d+$/.test(text)) {
    const name = byNumber.get(Number(text));
    if (name) return name;
  } else {
    const upper = text.toUpperCase();
    const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
    if (name in constants.signals) return name;
  }
  throw new PolisError('request.invalid', `Invalid signal: ${input}`, { context: { signal: input } });
}
