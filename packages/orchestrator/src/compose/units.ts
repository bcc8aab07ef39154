import { PolisError, parseBytes as coreParseBytes } from '@polis/core';
import { composeDurationMs } from '../autoscale/duration.js';

/** A Compose duration (`1m30s`, `500ms`, `10s`; a bare number is seconds) in milliseconds. */
export function parseDurationMs(value: unknown, field: string): number {
  const ms = composeDurationMs(value);
  if (ms === undefined)
    throw new PolisError('stack.invalid', `${field}: invalid duration "${String(value)}"`);
  return ms;
}

/** A Compose byte size (`512m`, `1gb`, `1024`) in bytes. */
export function parseBytes(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  try {
    return coreParseBytes(String(value).trim());
  } catch {
    throw new PolisError('stack.invalid', `${field}: invalid size "${String(value)}"`);
  }
}

/** Splits a command string as Compose does (POSIX shell words, quotes, backslashes), without expansion. */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new PolisError('stack.invalid', `unterminated quote in "${text}"`);
  if (inWord) words.push(word);
  return words;
}
