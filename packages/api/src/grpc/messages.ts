/** The `polis.v1` messages as proto-loader hands them over (camelCase, defaults filled, enums as names). */
export interface StringList {
  values: string[];
}
export type FilterMap = Record<string, StringList>;

export interface Ref {
  id: string;
}
export interface Json {
  json: string;
}
export interface Output {
  stream: 'STDOUT' | 'STDERR';
  data: Buffer;
  time: string;
}
export interface Resize {
  height: number;
  width: number;
}
export interface ExecStart {
  containerId: string;
  cmd: string[];
  env: string[];
  user: string;
  workingDir: string;
  tty: boolean;
  stdin: boolean;
  privileged: boolean;
}
export interface ExecInput {
  start?: ExecStart;
  stdin?: Buffer;
  resize?: Resize;
  closeStdin?: boolean;
  input?: 'start' | 'stdin' | 'resize' | 'closeStdin';
}
export interface AttachInput {
  start?: { containerId: string; logs: boolean; stdin: boolean };
  stdin?: Buffer;
  resize?: Resize;
  closeStdin?: boolean;
  input?: string;
}
export type ExecOutput = { execId: string } | { output: Output } | { exitCode: number };

/** Docker's filters from the proto map. */
export function filtersOf(map: FilterMap | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(map ?? {})) out[k] = v.values;
  return out;
}

/** Docker's `filters` query parameter from the proto map (absent when empty). */
export function filtersQuery(map: FilterMap | undefined): string | undefined {
  const filters = filtersOf(map);
  return Object.keys(filters).length === 0 ? undefined : JSON.stringify(filters);
}
