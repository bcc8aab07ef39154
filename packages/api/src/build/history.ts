/** Go's `%q` of a string slice, as the classic builder prints CMD and ENTRYPOINT in history. */
export function goQuoted(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/**
 * History's CREATED BY for a step that runs nothing, in the classic builder's words:
 * `/bin/sh -c #(nop)  ENV A=1` (two spaces; one for WORKDIR, COPY and ADD, which moby formats apart).
 */
export function nopCreatedBy(shell: string[], text: string): string {
  const tight = /^(WORKDIR|COPY|ADD) /.test(text);
  return `${shell.join(' ')} #(nop) ${tight ? '' : ' '}${text}`;
}

/** A RUN's CREATED BY: the build args it saw first (`|1 V=2 `), then the command. */
export function runCreatedBy(
  shell: string[],
  command: { exec: string[] } | { shell: string },
  args: string[],
): string {
  const prefix = args.length > 0 ? `|${args.length} ${args.join(' ')} ` : '';
  const cmd = 'exec' in command ? command.exec.join(' ') : `${shell.join(' ')} ${command.shell}`;
  return prefix + cmd;
}

/** Go's `%v` of a duration in nanoseconds (`30s`, `1m30s`, `0s`), for HEALTHCHECK's history line. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const s = ns / 1e9;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = Number((s % 60).toFixed(9));
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${rest}s`;
}
