import { PolisError } from '@polis/core';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** Docker's detach-keys syntax: `ctrl-<c>` (a–z, @, [, \\, ], ^, _) or a single character, comma-separated. */
export function parseDetachKeys(text: string): number[] {
  if (text === '') return [];
  return text.split(',').map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const m = /^ctrl-(.)$/i.exec(key);
    if (m) {
      const c = (m[1] as string).toLowerCase();
      if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96;
      const special = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 }[c];
      if (special !== undefined) return special;
    }
    throw new PolisError('request.invalid', `Invalid detach keys (${text}) provided`);
  });
}

/**
 * Watches input for the detach sequence. `feed` returns the bytes to pass on and whether the sequence
 * was completed; bytes of a partial match are held back until it is clear they are not the sequence.
 */
export class DetachScanner {
  private matched = 0;

  constructor(private readonly keys: number[]) {}

  feed(chunk: Buffer): { pass: Buffer; detach: boolean } {
    if (this.keys.length === 0) return { pass: chunk, detach: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched += 1;
        if (this.matched === this.keys.length) return { pass: Buffer.from(out), detach: true };
        continue;
      }
      if (this.matched > 0) {
        out.push(...this.keys.slice(0, this.matched));
        this.matched = 0;
        if (byte === this.keys[0]) {
          this.matched = 1;
          continue;
        }
      }
      out.push(byte);
    }
    return { pass: Buffer.from(out), detach: false };
  }
}
