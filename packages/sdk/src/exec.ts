import { PolisError } from '@polis/core/errors';
import { AttachedContainer } from './containers.js';
import { readBody, type Transport } from './transport.js';
import type { ExecCreateBody, ExecCreateResponse, ExecInspect, TerminalSize } from './types/exec.js';

const enc = encodeURIComponent;

/** Processes run inside running containers: `/containers/{id}/exec` and `/exec/...`. */
export class Execs {
  constructor(private readonly http: Transport) {}

  /**
   * Registers a process to run in the container (not started yet). Fails with a conflict when the
   * container is not running or is paused.
   */
  create(containerId: string, body: ExecCreateBody): Promise<ExecCreateResponse> {
    return this.http.json('POST', `/containers/${enc(containerId)}/exec`, { json: body });
  }

  /**
   * Starts the process attached, over a hijacked connection: its stdin (when created with `AttachStdin`)
   * is the connection's writable side; its output is raw with a TTY, multiplexed otherwise. `stdin:
   * false` says the exec was created without `AttachStdin`, so no connection needs to be taken over.
   */
  async start(id: string, options: { tty?: boolean; stdin?: boolean } = {}): Promise<AttachedContainer> {
    const tty = options.tty === true;
    if (options.stdin === false) {
      // Nothing to send: the output can stream back on a plain answer, which under Bun goes through its
      // native fetch (no node:http to load). Elsewhere the hijack below serves as before.
      const streamed = await this.http.fetchStream('POST', `/exec/${enc(id)}/start`, {
        json: { Detach: false, Tty: tty },
      });
      if (streamed) return new AttachedContainer(streamed.body, !tty);
    }
    const hijacked = await this.http.hijack('POST', `/exec/${enc(id)}/start`, {
      json: { Detach: false, Tty: tty },
    });
    if (!('head' in hijacked)) return new AttachedContainer(hijacked, !tty);
    const { socket, head } = hijacked;
    if (head.length > 0) socket.unshift(head);
    return new AttachedContainer(socket, !tty, socket);
  }

  /** Starts the process in the background and returns once it runs. */
  async startDetached(id: string): Promise<void> {
    const res = await this.http.send('POST', `/exec/${enc(id)}/start`, { json: { Detach: true } });
    await readBody(res);
  }

  /** Sets the size of the process's TTY. */
  resize(id: string, size: TerminalSize): Promise<void> {
    return this.http.empty('POST', `/exec/${enc(id)}/resize`, { query: { h: size.h, w: size.w } });
  }

  inspect(id: string): Promise<ExecInspect> {
    return this.http.json('GET', `/exec/${enc(id)}/json`);
  }

  /**
   * The process's exit code once it has ended: polls `inspect` until `Running` is false (the attached
   * stream can end a moment before the daemon has recorded the exit).
   */
  async exitCode(id: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<number> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const r = await this.inspect(id);
      if (!r.Running && r.ExitCode !== null) return r.ExitCode;
      if (Date.now() > deadline) {
        throw new PolisError('request.unavailable', `exec ${id} is still running`, { context: { id } });
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
    }
  }
}
