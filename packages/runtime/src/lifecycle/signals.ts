import { constants } from 'node:os';
import { PolisError } from '@polis/core';

const byNumber = new Map<number, string>(
  Object.entries(constants.signals).map(([name, num]) => [num as number, name]),
);
const SIGRTMIN = 34;
const SIGRTMAX = 64;

/**
 * `TERM`, `SIGTERM`, `sigterm`, `15` → `SIGTERM`; real-time signals (`SIGRTMIN+3`, `37`) → their
 * number as text, which crun and runc take as well. Anything else is a 400.
 */
export function signalName(input: string | number): string {
  const text = String(input).trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    const name = byNumber.get(n);
    if (name) return name;
    if (n >= SIGRTMIN && n <= SIGRTMAX) return String(n);
  } else {
    const upper = text.toUpperCase();
    const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
    if (name in constants.signals) return name;
    const rt = /^SIGRT(MIN|MAX)([+-]\d+)?$/.exec(name);
    if (rt) {
      const n = (rt[1] === 'MIN' ? SIGRTMIN : SIGRTMAX) + Number(rt[2] ?? 0);
      if (n >= SIGRTMIN && n <= SIGRTMAX) return String(n);
    }
  }
  throw new PolisError('request.invalid', `Invalid signal: ${input}`, { context: { signal: input } });
}
