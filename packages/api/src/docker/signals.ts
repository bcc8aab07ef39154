import { constants } from 'node:os';
import { invalid } from '../http/errors.js';

const RT = /^SIGRT(MIN|MAX)([+-][0-9]+)?$/;

/** Checks a signal as Docker accepts it (`KILL`, `SIGKILL`, `9`, `SIGRTMIN+3`) and returns `SIGKILL` or `9`. */
export function parseSignal(raw: string): string {
  const value = raw.trim();
  if (/^[0-9]+$/.test(value)) {
    const n = Number(value);
    if (n >= 1 && n <= 64) return String(n);
    throw invalid(`invalid signal: ${raw}`);
  }
  const name = value.toUpperCase().startsWith('SIG') ? value.toUpperCase() : `SIG${value.toUpperCase()}`;
  if (name in constants.signals || RT.test(name)) return name;
  throw invalid(`invalid signal: ${raw}`);
}
