/**
 * Docker's detach keys: `ctrl-p,ctrl-q` by default; each comma-separated item is one character or
 * `ctrl-<x>` for `x` in `@`, `a`…`z`, `[`, `\`, `]`, `^`, `_` (moby/term `ToBytes`).
 */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL_NAMES = '@abcdefghijklmnopqrstuvwxyz[\\]^_';

/** The bytes of a detach sequence; throws docker's message for an unknown key. */
export function parseDetachKeys(keys: string): Buffer {
  const codes: number[] = [];
  for (const key of keys.split(',')) {
    if (key.length === 1) {
      codes.push(key.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/.exec(key);
    const code = m ? CTRL_NAMES.indexOf(m[1] as string) : -1;
    if (code < 0) throw new Error(`Invalid detach keys (${keys}) provided`);
    codes.push(code);
  }
  return Buffer.from(codes);
}

/**
 * Finds the detach sequence in typed input. Bytes that may start the sequence are held back until the
 * next chunk decides; bytes that turn out not to be the sequence are passed on in their order.
 */
export class DetachMatcher {
  private matched = 0;

  constructor(private readonly keys: Buffer) {}

  /** The bytes to pass on, and whether the sequence was completed (bytes after it are dropped). */
  push(chunk: Buffer): { data: Buffer; detached: boolean } {
    if (this.keys.length === 0) return { data: chunk, detached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte !== this.keys[this.matched] && this.matched > 0) {
        for (let i = 0; i < this.matched; i++) out.push(this.keys[i] as number);
        this.matched = 0;
      }
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) {
          this.matched = 0;
          return { data: Buffer.from(out), detached: true };
        }
      } else out.push(byte);
    }
    return { data: Buffer.from(out), detached: false };
  }
}
