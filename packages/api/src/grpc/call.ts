import type {
  sendUnaryData,
  ServerDuplexStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceError,
} from '@grpc/grpc-js';
import { toServiceError } from './errors.js';

/** Aborted when the client cancels the call, its deadline passes, or the connection goes. */
export function callSignal(call: { on(event: 'cancelled', listener: () => void): unknown }): AbortSignal {
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort());
  return controller.signal;
}

export type UnaryHandler<Req, Res> = (request: Req, signal: AbortSignal) => Promise<Res> | Res;

/** A unary method from an async function: its error is mapped with core's table. */
export function unary<Req, Res>(
  handler: UnaryHandler<Req, Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const signal = callSignal(call);
    new Promise<Res>((resolve) => resolve(handler(call.request, signal))).then(
      (value) => callback(null, value),
      (err: unknown) => callback(toServiceError(err) as ServiceError),
    );
  };
}

/** A streaming call's writable side: ended when its handler ends, an error emitted when it fails. */
interface WritableCall {
  on(event: 'cancelled', listener: () => void): unknown;
  end(): void;
  emit(event: 'error', err: ServiceError): boolean;
}

/** Runs a streaming handler; its end or error ends the call (unless the client went first). */
function stream<C extends WritableCall>(
  handler: (call: C, signal: AbortSignal) => Promise<void>,
): (call: C) => void {
  return (call) => {
    const signal = callSignal(call);
    handler(call, signal).then(
      () => {
        if (!signal.aborted) call.end();
      },
      (err: unknown) => {
        if (!signal.aborted) call.emit('error', toServiceError(err) as ServiceError);
      },
    );
  };
}

/** A server-streaming method: the handler writes, and its end or error ends the call. */
export function serverStream<Req, Res>(
  handler: (call: ServerWritableStream<Req, Res>, signal: AbortSignal) => Promise<void>,
): (call: ServerWritableStream<Req, Res>) => void {
  return stream(handler);
}

/** A bidirectional method, ended the same way. */
export function duplex<Req, Res>(
  handler: (call: ServerDuplexStream<Req, Res>, signal: AbortSignal) => Promise<void>,
): (call: ServerDuplexStream<Req, Res>) => void {
  return stream(handler);
}
