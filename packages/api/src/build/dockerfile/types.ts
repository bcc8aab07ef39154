import type { Heredoc } from './lines.js';

/** A command in exec form (`["a","b"]`, taken as it is) or shell form (a string run by the SHELL). */
export type CommandForm = { exec: string[] } | { shell: string };

interface Base {
  /** 1-based line in the Dockerfile. */
  line: number;
  /** As written, continuations joined (`RUN echo hi`). */
  original: string;
}

export type Instruction = Base &
  (
    | { kind: 'RUN'; command: CommandForm; network?: string }
    | {
        kind: 'COPY' | 'ADD';
        from?: string;
        chown?: string;
        chmod?: string;
        /** Unexpanded sources; a heredoc's name stands for its content. */
        sources: string[];
        dest: string;
        heredocs: Heredoc[];
      }
    /** `rest` is expanded and split at dispatch, when the values are known. */
    | { kind: 'ENV' | 'LABEL'; rest: string }
    | { kind: 'ARG'; args: { name: string; value?: string }[] }
    | { kind: 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER'; value: string }
    | { kind: 'CMD' | 'ENTRYPOINT'; command: CommandForm }
    | { kind: 'EXPOSE' | 'VOLUME'; values: string[] }
    | { kind: 'SHELL'; shell: string[] }
    | { kind: 'ONBUILD'; expression: string }
    | {
        kind: 'HEALTHCHECK';
        /** `HEALTHCHECK NONE`: undefined. */
        command?: CommandForm;
        /** Nanoseconds, as the image config keeps them. */
        interval?: number;
        timeout?: number;
        startPeriod?: number;
        startInterval?: number;
        retries?: number;
      }
  );

export interface Stage {
  /** Position among the stages (the `--from=0` of a COPY). */
  index: number;
  /** Lower-cased `AS` name. */
  name?: string;
  /** The base as written (`busybox:${V}`), expanded with the meta args at build time; `scratch` for none. */
  base: string;
  platform?: string;
  line: number;
  original: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  file: string;
  escape: string;
  /** ARGs before the first FROM: usable in FROM lines, and re-declared (bare ARG) inside stages. */
  metaArgs: { name: string; value?: string }[];
  stages: Stage[];
}
