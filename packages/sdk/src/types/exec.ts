/** `POST /containers/{id}/exec`: a process to run in a running container. */
export interface ExecCreateBody {
  Cmd: string[];
  /** `KEY=value` entries added to the container's environment. */
  Env?: string[];
  /** `user`, `uid`, `user:group` or `uid:gid`; the container's user when unset. */
  User?: string;
  /** An absolute path; the container's working directory when unset. */
  WorkingDir?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  /** Overrides the detach key sequence (`ctrl-p,ctrl-q`). */
  DetachKeys?: string;
  Privileged?: boolean;
}

export interface ExecCreateResponse {
  Id: string;
}

/** A terminal size in character cells. */
export interface TerminalSize {
  /** Rows. */
  h: number;
  /** Columns. */
  w: number;
}

/** `GET /exec/{id}/json`. */
export interface ExecInspect {
  ID: string;
  Running: boolean;
  /** Null until the process has ended. */
  ExitCode: number | null;
  ProcessConfig: {
    tty: boolean;
    entrypoint: string;
    arguments: string[];
    privileged: boolean;
    user?: string;
  };
  OpenStdin: boolean;
  OpenStdout: boolean;
  OpenStderr: boolean;
  CanRemove: boolean;
  ContainerID: string;
  DetachKeys: string;
  Pid: number;
}
