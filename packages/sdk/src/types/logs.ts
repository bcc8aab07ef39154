/** One line of `GET /polis/v1/logs` (JSON lines). */
export interface CentralLogLine {
  /** The container's full id. */
  container: string;
  /** The container's name (no leading slash). */
  name: string;
  stream: 'stdout' | 'stderr';
  /** RFC 3339 UTC with nanoseconds, when the runtime read the line. */
  time: string;
  /** The line without its newline. */
  line: string;
  /** True when the output had no newline at this point. */
  partial?: boolean;
}

export interface CentralLogsOptions {
  filters?: Record<string, string[]>;
  follow?: boolean;
  /** Unix seconds or RFC 3339. */
  since?: string;
  until?: string;
  /** Lines per container: a number or `all`. */
  tail?: string;
}
