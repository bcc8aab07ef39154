/** Questions on the terminal: a line (`y/N`, a user name), a password without echo, all of stdin. */
import type { ReadStream } from 'node:tty';
import type { Readable } from 'node:stream';
import { enterRawMode } from './terminal.js';

/** Reads one line (without its end); undefined at end of input. What follows it stays unread. */
export function readLine(input: Readable): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (line: string | undefined, rest?: string): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', reject);
      input.pause();
      if (rest) input.unshift(Buffer.from(rest));
      resolve(line);
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) finish(text.slice(0, nl).replace(/\r$/, ''), text.slice(nl + 1));
    };
    const onEnd = (): void => finish(text === '' ? undefined : text);
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', reject);
    input.resume();
  });
}

/** All of the input, as `--password-stdin` takes it: the trailing line end removed. */
export async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Reads a secret from the terminal in raw mode: nothing echoed; backspace edits. Ctrl-c restores the
 * terminal and interrupts the process, as it would with echo merely turned off.
 */
export function readSecret(input: ReadStream): Promise<string> {
  const restore = enterRawMode(input);
  return new Promise<string>((resolve) => {
    let text = '';
    const done = (fn: () => void): void => {
      input.off('data', onData);
      input.pause();
      restore();
      fn();
    };
    const onData = (chunk: Buffer): void => {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n') return done(() => resolve(text));
        if (c === '\x03') return done(() => process.kill(process.pid, 'SIGINT'));
        if (c === '\x04' && text === '') return done(() => resolve(text));
        if (c === '\x7f' || c === '\b') text = [...text].slice(0, -1).join('');
        else text += c;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

/** docker's `PromptForConfirmation`: only `y` (any case) is yes; end of input is no. */
export async function confirm(
  input: Readable,
  write: (text: string) => void,
  message: string,
): Promise<boolean> {
  write(`${message} [y/N] `);
  const answer = await readLine(input);
  return (answer ?? '').trim().toLowerCase() === 'y';
}
