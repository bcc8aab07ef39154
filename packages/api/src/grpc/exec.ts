import { PassThrough } from 'node:stream';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { createLogger, PolisError } from '@polis/core';
import type { ContainerService, LogEntry } from '@polis/runtime';
import { duplex } from './call.js';
import type { AttachInput, ExecInput, ExecOutput, ExecStart, Output } from './messages.js';

const log = createLogger('grpc');

function output(e: LogEntry): { output: Output } {
  return { output: { stream: e.stream === 'stderr' ? 'STDERR' : 'STDOUT', data: e.data, time: e.time } };
}

/** The first message of a bidirectional call, which must say what to start. */
function firstMessage<T>(call: ServerDuplexStream<T, unknown>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const fail = (): void =>
      reject(new PolisError('request.invalid', 'the call ended before its start message'));
    call.once('data', (m: T) => {
      call.off('end', fail);
      call.pause();
      resolve(m);
    });
    call.once('end', fail);
    signal.addEventListener('abort', fail, { once: true });
  });
}

/** Copies the client's stdin messages into a stream; resizes go to RESIZE. */
function pumpInput(
  call: ServerDuplexStream<ExecInput | AttachInput, unknown>,
  resize: (h: number, w: number) => Promise<void>,
): PassThrough {
  const stdin = new PassThrough();
  call.on('data', (m: ExecInput | AttachInput) => {
    if (m.stdin !== undefined && m.input === 'stdin') stdin.write(m.stdin);
    else if (m.resize && m.input === 'resize')
      resize(m.resize.height, m.resize.width).catch((err: unknown) =>
        log.debug('resize failed', { error: err }),
      );
    else if (m.input === 'closeStdin' && m.closeStdin) stdin.end();
  });
  call.on('end', () => stdin.end());
  call.resume();
  return stdin;
}

/**
 * `Containers.Exec`: start message, then stdin/resize in and output out; the exit code is the last
 * message. The process's stdin is the client's stdin messages (EOF at close_stdin or half-close).
 */
export function execCall(c: ContainerService) {
  return duplex(async (call: ServerDuplexStream<ExecInput, ExecOutput>, signal) => {
    const first = await firstMessage(call, signal);
    const start: ExecStart | undefined = first.start;
    if (!start) throw new PolisError('request.invalid', 'the first message of Exec must be start');
    if (start.cmd.length === 0) throw new PolisError('request.invalid', 'No exec command specified');
    if (start.workingDir && !start.workingDir.startsWith('/'))
      throw new PolisError(
        'request.invalid',
        `the working directory '${start.workingDir}' is invalid, it needs to be an absolute path`,
      );
    const record = c.createExec(start.containerId, {
      cmd: start.cmd,
      env: start.env,
      tty: start.tty,
      attachStdin: start.stdin,
      attachStdout: true,
      attachStderr: true,
      privileged: start.privileged,
      ...(start.user ? { user: start.user } : {}),
      ...(start.workingDir ? { workingDir: start.workingDir } : {}),
    });
    call.write({ execId: record.id });
    const stdin = pumpInput(call, (h, w) => c.resizeExec(record.id, h, w));
    const entries = await c.startExec(
      record.id,
      { detach: false, ...(start.stdin ? { stdin } : {}) },
      signal,
    );
    for await (const e of entries) {
      if (signal.aborted) return;
      call.write(output(e));
    }
    const code = c.inspectExec(record.id).exitCode;
    if (code !== undefined) call.write({ exitCode: code });
  });
}

/** `Containers.Attach`: the container's output (and stdin when asked), then its exit code once it stops. */
export function attachCall(c: ContainerService) {
  return duplex(async (call: ServerDuplexStream<AttachInput, ExecOutput>, signal) => {
    const first = await firstMessage(call, signal);
    const start = first.start;
    if (!start) throw new PolisError('request.invalid', 'the first message of Attach must be start');
    const record = c.get(start.containerId);
    const stdin = pumpInput(call, (h, w) => c.resize(record.id, h, w));
    const entries = c.attach(
      record.id,
      { logs: start.logs, stream: true, stdout: true, stderr: true, ...(start.stdin ? { stdin } : {}) },
      signal,
    );
    for await (const e of entries) {
      if (signal.aborted) return;
      call.write(output(e));
    }
    // The output ends when the container stops; its exit code is then the last one recorded.
    const result = await c.wait(record.id, 'not-running', signal);
    call.write({ exitCode: result.StatusCode });
  });
}
