/** Minimal structured logging to stderr; the level comes from POLIS_LOG_LEVEL or the daemon flag. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: LogLevel = (process.env.POLIS_LOG_LEVEL as LogLevel | undefined) ?? 'info';

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(component: string): Logger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < ORDER[threshold]) return;
    const extra = fields
      ? ' ' +
        Object.entries(fields)
          .map(([k, v]) => `${k}=${v instanceof Error ? JSON.stringify(v.message) : JSON.stringify(v)}`)
          .join(' ')
      : '';
    process.stderr.write(
      `time="${new Date().toISOString()}" level=${level} component=${component} msg=${JSON.stringify(msg)}${extra}\n`,
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/**
 * For best-effort undo and cleanup steps: `.catch(logFailure(log, 'deleting veth', { id }))` keeps going
 * as before, but says what was left behind and why instead of dropping the error.
 */
export function logFailure(
  log: Logger,
  step: string,
  fields: Record<string, unknown> = {},
): (err: unknown) => void {
  return (err) =>
    log.warn(`${step} failed`, { ...fields, error: err instanceof Error ? err.message : String(err) });
}
