import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import {
  PolisError,
  createLogger,
  isPolisError,
  logFailure,
  type ImageConfig,
  type ImageRecord,
  type ImageRunConfig,
} from '@polis/core';
import { hostPlatform, type BuildStepInput, type ImageService } from '@polis/image';
import type { ContainerService } from '@polis/runtime';
import { BuildCache, cacheKey, type CacheEntry } from './cache.js';
import { applyDockerignore, readDockerfile, receiveContext } from './context.js';
import { stageCopy } from './copy-step.js';
import { splitDockerfile } from './dockerfile/lines.js';
import { parseDockerfile, parseInstruction } from './dockerfile/parse.js';
import type { Dockerfile, Instruction, Stage } from './dockerfile/types.js';
import { expandWord, expandWords, WordError } from './dockerfile/words.js';
import { nopCreatedBy, runCreatedBy } from './history.js';
import { DEFAULT_SHELL, applyMetadata, commandArgs } from './metadata.js';
import { OrderedOutput, type BuildMessage } from './output.js';
import { neededStages, stageIndex } from './plan.js';
import { cancelled, runStep } from './run-step.js';
import { stagingTar, treeDigest } from './staging.js';

/** The image store as the builder needs it: LocalImageService's build steps and layer dirs. */
export interface BuildImages extends ImageService {
  addStep(input: BuildStepInput): Promise<ImageRecord>;
  layerDirs(imageId: string): Promise<string[]>;
}

export interface BuildRequest {
  context: Readable;
  contextLength?: number;
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  pull: boolean;
  network: string;
  quiet: boolean;
  signal: AbortSignal;
  write: (m: BuildMessage) => void;
}

export interface BuildServiceOptions {
  db: Database.Database;
  dataRoot: string;
  images: BuildImages;
  containers: ContainerService;
  maxContextBytes: number;
}

const log = createLogger('build');

/** `POST /build`: Docker's classic builder over Polis's image store and runtime. */
export class BuildService {
  readonly cache: BuildCache;
  private readonly root: string;

  constructor(private readonly options: BuildServiceOptions) {
    this.cache = new BuildCache(options.db);
    this.root = join(options.dataRoot, 'build');
  }

  /** Removes what a build that polisd did not see end left: mounts of COPY --from sources, temp dirs. */
  async init(): Promise<void> {
    for (const build of await readdir(this.root).catch(() => [] as string[])) {
      for (const entry of await readdir(join(this.root, build)).catch(() => [] as string[])) {
        if (entry.startsWith('mnt-'))
          await this.options.images
            .unmountRootfs(join(this.root, build, entry))
            .catch(logFailure(log, 'unmounting a build source'));
      }
    }
    await rm(this.root, { recursive: true, force: true });
  }

  async build(req: BuildRequest): Promise<string> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(join(this.root, `${randomBytes(4).toString('hex')}-`));
    try {
      const context = join(dir, 'context');
      await mkdir(context);
      await receiveContext(req.context, context, this.options.maxContextBytes, req.contextLength);
      const text = await readDockerfile(context, req.dockerfile);
      const df = parseDockerfile(text, req.dockerfile);
      await applyDockerignore(context);
      return await new Build(this.options, this.cache, df, context, dir, req).run();
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(logFailure(log, 'removing a build dir', { dir }));
    }
  }

  /** `POST /build/prune`: forgets cached steps and deletes their images unless tagged or in use. */
  async prune(all: boolean): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }> {
    const deleted: string[] = [];
    let reclaimed = 0;
    void all;
    const entries = this.cache.all();
    // Newest first: a step's image is a parent of the next one's, and a child goes before its parent.
    for (const e of entries.reverse()) {
      this.cache.delete(e.key);
      deleted.push(e.key);
      const image = this.image(e.imageId);
      if (!image || image.repoTags.length > 0) continue;
      if (this.options.containers.usingImage(image.id).length > 0) continue;
      try {
        await this.options.images.remove(image.id);
        reclaimed += e.size;
      } catch (err) {
        if (!isPolisError(err, 'image.not_found'))
          logFailure(log, 'removing a build cache image', { id: image.id })(err);
      }
    }
    return { CachesDeleted: deleted, SpaceReclaimed: reclaimed };
  }

  /** Docker's BuildCache records for `GET /system/df`. */
  usage(): Record<string, unknown>[] {
    return this.cache
      .all()
      .filter((e) => this.image(e.imageId) !== undefined)
      .map((e: CacheEntry) => ({
        ID: e.key.slice(0, 25),
        Parent: '',
        Parents: [],
        Type: 'regular',
        Description: e.description,
        InUse: false,
        Shared: false,
        Size: e.size,
        CreatedAt: e.createdAt,
        LastUsedAt: e.lastUsedAt,
        UsageCount: e.usageCount,
      }));
  }

  private image(id: string): ImageRecord | undefined {
    try {
      return this.options.images.get(id);
    } catch {
      return undefined;
    }
  }
}

interface StageState {
  imageId?: string;
  config: ImageConfig;
  args: Map<string, string>;
  cmdSet: boolean;
}

/** One build: the stages the target needs, in parallel where they do not depend on each other. */
class Build {
  private readonly abort = new AbortController();
  private readonly signal: AbortSignal;
  private readonly metaVars = new Map<string, string>();
  private readonly consumed = new Set<string>();
  private readonly results = new Map<number, Promise<StageState>>();
  private total = 0;
  private readonly firstStep = new Map<number, number>();

  constructor(
    private readonly o: BuildServiceOptions,
    private readonly cache: BuildCache,
    private readonly df: Dockerfile,
    private readonly context: string,
    private readonly dir: string,
    private readonly req: BuildRequest,
  ) {
    this.signal = AbortSignal.any([req.signal, this.abort.signal]);
  }

  async run(): Promise<string> {
    for (const arg of this.df.metaArgs) {
      const given = this.req.buildArgs[arg.name];
      const value =
        given ?? (arg.value === undefined ? undefined : this.expand(arg.value, this.metaVars, new Set()));
      if (given !== undefined) this.consumed.add(arg.name);
      if (value !== undefined && value !== null) this.metaVars.set(arg.name, value);
    }
    const stages = neededStages(this.df, this.req.target);
    const target = stages[stages.length - 1] as Stage;
    const labels = Object.entries(this.req.labels);
    if (labels.length > 0) {
      const rest = labels.map(([k, v]) => `${quote(k)}=${quote(v)}`).join(' ');
      target.instructions.push({ kind: 'LABEL', rest, line: 0, original: `LABEL ${rest}` });
    }
    for (const s of stages) {
      this.firstStep.set(s.index, this.total + 1);
      this.total += 1 + s.instructions.length;
    }
    const out = new OrderedOutput((m) => {
      if (!this.req.quiet || !('stream' in m)) this.req.write(m);
    }, stages.length);
    for (const [lane, stage] of stages.entries()) {
      this.results.set(
        stage.index,
        (async () => {
          try {
            return await this.runStage(stage, out.lane(lane));
          } finally {
            out.done(lane);
          }
        })(),
      );
    }
    const settled = await Promise.allSettled([...this.results.values()]);
    const failure = settled.find((r) => r.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    const final = await (this.results.get(target.index) as Promise<StageState>);
    if (!final.imageId)
      throw new PolisError('build.step_failed', 'No image was generated. Is your Dockerfile empty?');
    const unused = Object.keys(this.req.buildArgs).filter((k) => !this.consumed.has(k));
    const write = (text: string): void => {
      if (!this.req.quiet) this.req.write({ stream: text });
    };
    if (unused.length > 0)
      write(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    this.req.write({ aux: { ID: final.imageId } });
    write(`Successfully built ${short(final.imageId)}\n`);
    for (const tag of this.req.tags) {
      this.o.images.tag(final.imageId, tag);
      write(`Successfully tagged ${withTag(tag)}\n`);
    }
    if (this.req.quiet) this.req.write({ stream: `${final.imageId}\n` });
    return final.imageId;
  }

  private async runStage(stage: Stage, write: (m: BuildMessage) => void): Promise<StageState> {
    try {
      return await this.stageSteps(stage, (text) => write({ stream: text }));
    } catch (err) {
      // One stage failing stops the others (their containers are removed as they unwind).
      this.abort.abort();
      throw err;
    }
  }

  private async stageSteps(stage: Stage, print: (text: string) => void): Promise<StageState> {
    let n = this.firstStep.get(stage.index) as number;
    print(`Step ${n}/${this.total} : ${stage.original}\n`);
    const state = await this.fromBase(stage, print);
    print(` ---> ${state.imageId ? short(state.imageId) : ''}\n`);
    const triggers = state.config.config?.OnBuild ?? [];
    if (triggers.length > 0 && state.config.config) state.config.config.OnBuild = [];
    if (triggers.length > 0)
      print(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
    for (const trigger of triggers) {
      const raw = splitDockerfile(trigger, this.df.file).instructions[0];
      if (!raw) continue;
      const ins = parseInstruction(raw, (m) => {
        throw new PolisError('build.dockerfile_invalid', `ONBUILD trigger ${trigger}: ${m}`);
      });
      await this.step(stage, state, ins, print);
    }
    for (const ins of stage.instructions) {
      n++;
      if (this.signal.aborted) throw cancelled();
      print(`Step ${n}/${this.total} : ${ins.original}\n`);
      try {
        await this.step(stage, state, ins, print);
      } catch (err) {
        if (err instanceof WordError)
          throw new PolisError(
            'build.dockerfile_invalid',
            `${this.df.file} line ${ins.line}: ${err.message}`,
          );
        throw err;
      }
      print(` ---> ${short(state.imageId as string)}\n`);
    }
    return state;
  }

  private async fromBase(stage: Stage, print: (t: string) => void): Promise<StageState> {
    const base = this.expand(stage.base, this.metaVars, new Set());
    const from = stageIndex(this.df, base, stage.index);
    if (from !== undefined) {
      const parent = await (this.results.get(from) as Promise<StageState>);
      return {
        ...(parent.imageId ? { imageId: parent.imageId } : {}),
        config: structuredClone(parent.config),
        args: new Map(),
        cmdSet: false,
      };
    }
    if (base.toLowerCase() === 'scratch') {
      const { os, architecture } = hostPlatform();
      return {
        config: { architecture, os, config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] },
        args: new Map(),
        cmdSet: false,
      };
    }
    const image = await this.baseImage(base, print);
    return { imageId: image.id, config: structuredClone(image.config), args: new Map(), cmdSet: false };
  }

  private async baseImage(ref: string, print: (t: string) => void): Promise<ImageRecord> {
    if (!this.req.pull) {
      try {
        return this.o.images.get(ref);
      } catch (err) {
        if (!isPolisError(err, 'image.not_found')) throw err;
      }
    }
    print(`${this.req.pull ? 'Pulling' : 'Pulling missing'} ${ref}\n`);
    const pulled = await this.o.images.pull(ref, { signal: this.signal });
    return pulled.image;
  }

  /** Variables an instruction may expand: the stage's ARGs, then ENV over them. */
  private vars(state: StageState): Map<string, string> {
    const vars = new Map(state.args);
    for (const e of state.config.config?.Env ?? []) {
      const eq = e.indexOf('=');
      if (eq > 0) vars.set(e.slice(0, eq), e.slice(eq + 1));
    }
    return vars;
  }

  private expand(text: string, vars: Map<string, string>, used: Set<string>): string {
    return expandWord(text, vars, this.df.escape, used);
  }

  private async step(
    stage: Stage,
    state: StageState,
    ins: Instruction,
    print: (t: string) => void,
  ): Promise<void> {
    const vars = this.vars(state);
    const used = new Set<string>();
    const run: ImageRunConfig = state.config.config ?? {};
    const shell = run.Shell ?? DEFAULT_SHELL;
    const argsIn = (names: Set<string>): string[] =>
      [...state.args.entries()].filter(([k]) => names.has(k) && !isEnv(run, k)).map(([k, v]) => `${k}=${v}`);
    switch (ins.kind) {
      case 'ARG': {
        for (const a of ins.args) {
          const given = this.req.buildArgs[a.name];
          if (given !== undefined) this.consumed.add(a.name);
          const value =
            given ?? (a.value !== undefined ? this.expand(a.value, vars, used) : this.metaVars.get(a.name));
          if (value !== undefined && value !== null) state.args.set(a.name, value);
        }
        const text = `ARG ${ins.args.map((a) => (a.value === undefined ? a.name : `${a.name}=${a.value}`)).join(' ')}`;
        await this.cached(
          state,
          { instruction: text, args: [...state.args].map(([k, v]) => `${k}=${v}`) },
          nopCreatedBy(shell, text),
          print,
          (created) => this.configStep(state, run, created),
        );
        return;
      }
      case 'RUN': {
        const cmd = commandArgs(ins.command, shell);
        // Every ARG with a value is in the step's environment, and so in its cache key (Docker's rule).
        const args = [...state.args.entries()].filter(([k]) => !isEnv(run, k)).map(([k, v]) => `${k}=${v}`);
        const createdBy = runCreatedBy(shell, ins.command, args);
        const network = ins.network ?? this.req.network;
        await this.cached(state, { instruction: createdBy, args }, createdBy, print, (created) =>
          runStep(
            this.o.containers,
            log,
            {
              imageId: this.requireImage(state, 'RUN'),
              cmd,
              env: [...(run.Env ?? []), ...args],
              ...(run.WorkingDir ? { workingDir: run.WorkingDir } : {}),
              ...(run.User ? { user: run.User } : {}),
              network: network === '' ? 'default' : network,
              signal: this.signal,
              output: (text) => print(text),
            },
            (upperDir, idMappings) =>
              this.o.images.addStep({
                ...(state.imageId ? { parentId: state.imageId } : {}),
                layer: { upperDir, ...(idMappings ? { idMappings } : {}) },
                makeConfig: (diffIds) => this.nextConfig(state, run, diffIds, created, false),
              }),
          ),
        );
        return;
      }
      case 'COPY':
      case 'ADD':
        await this.copy(stage, state, ins, vars, print);
        return;
      case 'WORKDIR': {
        const value = this.expand(ins.value, vars, used);
        const path = posix.resolve(run.WorkingDir || '/', value);
        const next = { ...run, WorkingDir: path };
        const text = `WORKDIR ${path}`;
        const exists = await this.isDir(state, path);
        await this.cached(
          state,
          { instruction: text, args: argsIn(used) },
          nopCreatedBy(shell, text),
          print,
          async (created) => {
            if (exists || path === '/') return this.configStep(state, next, created);
            const staging = await mkdtemp(join(this.dir, 'copy-'));
            try {
              await mkdir(join(staging, path), { recursive: true, mode: 0o755 });
              const tar = await stagingTar(staging);
              const [image] = await Promise.all([
                this.o.images.addStep({
                  ...(state.imageId ? { parentId: state.imageId } : {}),
                  layer: { tar: tar.stream },
                  makeConfig: (diffIds) => this.nextConfig(state, next, diffIds, created, false),
                }),
                tar.done,
              ]);
              return image;
            } finally {
              await rm(staging, { recursive: true, force: true });
            }
          },
        );
        return;
      }
      default: {
        const result = applyMetadata(ins, run, vars, this.df.escape, used);
        if (ins.kind === 'CMD') state.cmdSet = true;
        if (ins.kind === 'ENTRYPOINT' && !state.cmdSet) result.config.Cmd = null;
        const author = ins.kind === 'MAINTAINER' ? ins.value : undefined;
        await this.cached(
          state,
          { instruction: result.text, args: argsIn(used) },
          nopCreatedBy(shell, result.text),
          print,
          (created) => this.configStep(state, result.config, created, author),
        );
      }
    }
  }

  private async copy(
    stage: Stage,
    state: StageState,
    ins: Extract<Instruction, { kind: 'COPY' | 'ADD' }>,
    vars: Map<string, string>,
    print: (t: string) => void,
  ): Promise<void> {
    const used = new Set<string>();
    const run: ImageRunConfig = state.config.config ?? {};
    const shell = run.Shell ?? DEFAULT_SHELL;
    const sources = ins.sources.flatMap((s) =>
      s.startsWith('<<') ? [s] : expandWords(s, vars, this.df.escape, used),
    );
    const destWord = this.expand(ins.dest, vars, used);
    const trailing = destWord.endsWith('/') || destWord.endsWith('/.') ? '/' : '';
    const dest = posix.resolve(run.WorkingDir || '/', destWord) + (trailing && destWord !== '/' ? '/' : '');
    const mount =
      ins.kind === 'COPY' && ins.from !== undefined
        ? await this.sourceRoot(stage, ins.from, print)
        : undefined;
    const staging = await mkdtemp(join(this.dir, 'copy-'));
    try {
      const owner = ins.chown ? await this.owner(state, this.expand(ins.chown, vars, used)) : undefined;
      const mode = ins.chmod === undefined ? undefined : parseMode(ins.chmod);
      await stageCopy(
        {
          add: ins.kind === 'ADD',
          sources,
          heredocs: new Map(ins.heredocs.map((h) => [h.name, h.content])),
          dest,
          destIsDir: (p) => this.isDir(state, p),
          root: mount?.root ?? this.context,
          ...(owner ? { owner } : {}),
          ...(mode !== undefined ? { mode } : {}),
          signal: this.signal,
        },
        staging,
      );
      if (this.signal.aborted) throw cancelled();
      const digest = await treeDigest(staging);
      const hex = digest.slice('sha256:'.length);
      const what =
        sources.length > 1
          ? 'multi'
          : (await lstat(join(staging, dest)).catch(() => undefined))?.isDirectory()
            ? 'dir'
            : 'file';
      const text = `${ins.kind} ${what}:${hex} in ${dest} `;
      const flags = [
        ins.kind === 'COPY' && ins.from ? `--from=${mount?.id ?? ins.from}` : '',
        ins.chown ? `--chown=${ins.chown}` : '',
        ins.chmod ? `--chmod=${ins.chmod}` : '',
      ]
        .filter((f) => f !== '')
        .join(' ');
      await this.cached(
        state,
        { instruction: `${ins.kind} ${flags} ${sources.join(' ')} ${dest}`, args: [], contentDigest: digest },
        nopCreatedBy(shell, text),
        print,
        async (created) => {
          const tar = await stagingTar(staging);
          const [image] = await Promise.all([
            this.o.images.addStep({
              ...(state.imageId ? { parentId: state.imageId } : {}),
              layer: { tar: tar.stream },
              makeConfig: (diffIds) => this.nextConfig(state, run, diffIds, created, false),
            }),
            tar.done,
          ]);
          return image;
        },
      );
    } finally {
      await rm(staging, { recursive: true, force: true });
      if (mount)
        await this.o.images
          .unmountRootfs(mount.dir)
          .catch(logFailure(log, 'unmounting a build source', { dir: mount.dir }));
      if (mount)
        await rm(mount.dir, { recursive: true, force: true }).catch(
          logFailure(log, 'removing a build mount dir'),
        );
    }
  }

  /** COPY --from: another stage's image, or any image (pulled when missing), mounted read-only for the copy. */
  private async sourceRoot(
    stage: Stage,
    from: string,
    print: (t: string) => void,
  ): Promise<{ root: string; dir: string; id: string }> {
    const i = stageIndex(this.df, from, stage.index);
    let imageId: string | undefined;
    if (i !== undefined) imageId = (await (this.results.get(i) as Promise<StageState>)).imageId;
    else imageId = (await this.baseImage(from, print)).id;
    if (!imageId) throw new PolisError('build.step_failed', `COPY --from=${from}: the stage has no files`);
    const dir = await mkdtemp(join(this.dir, 'mnt-'));
    const layout = await this.o.images.mountRootfs(imageId, dir);
    return { root: layout.target, dir, id: imageId };
  }

  /** --chown's user and group: numbers, or names looked up in the image's /etc/passwd and /etc/group. */
  private async owner(state: StageState, spec: string): Promise<{ uid: number; gid: number }> {
    const [user = '', group] = spec.split(':');
    const lookup = async (file: string, name: string): Promise<{ id: number; gid?: number }> => {
      if (/^\d+$/.test(name)) return { id: Number(name) };
      const text = await this.readImageFile(state, file);
      for (const line of text.split('\n')) {
        const f = line.split(':');
        if (f[0] === name && f[2] !== undefined)
          return { id: Number(f[2]), ...(f[3] !== undefined ? { gid: Number(f[3]) } : {}) };
      }
      throw new PolisError(
        'build.step_failed',
        `unable to convert uid/gid chown string to host mapping: no such ${file.includes('group') ? 'group' : 'user'} ${name} in the image`,
      );
    };
    const u = await lookup('/etc/passwd', user);
    if (group === undefined) return { uid: u.id, gid: u.gid ?? u.id };
    return { uid: u.id, gid: (await lookup('/etc/group', group)).id };
  }

  private async readImageFile(state: StageState, path: string): Promise<string> {
    if (!state.imageId) return '';
    for (const layer of await this.o.images.layerDirs(state.imageId)) {
      const file = join(layer, path);
      const st = await lstat(file).catch(() => undefined);
      if (st?.isFile()) return readFile(file, 'utf8');
      if (st) return '';
    }
    return '';
  }

  /** Whether a path is a directory in the stage's current image (the top layer that has it decides). */
  private async isDir(state: StageState, path: string): Promise<boolean> {
    if (!state.imageId) return false;
    for (const layer of await this.o.images.layerDirs(state.imageId)) {
      const st = await lstat(join(layer, path)).catch(() => undefined);
      if (st) return st.isDirectory();
    }
    return false;
  }

  private requireImage(state: StageState, what: string): string {
    if (!state.imageId)
      throw new PolisError(
        'build.step_failed',
        `${what} needs a base image with a shell (the stage is FROM scratch)`,
      );
    return state.imageId;
  }

  /** A step through the cache: a hit reuses the image, a miss makes it and records it. */
  private async cached(
    state: StageState,
    parts: { instruction: string; args: string[]; contentDigest?: string },
    createdBy: string,
    print: (t: string) => void,
    make: (createdBy: string) => Promise<ImageRecord>,
  ): Promise<void> {
    const parentId =
      state.imageId ?? `scratch:${state.config.config ? JSON.stringify(state.config.config) : ''}`;
    const key = cacheKey({ parentId, ...parts });
    if (!this.req.noCache) {
      const hit = this.cache.get(key);
      const image = hit && this.imageOrUndefined(hit.imageId);
      if (hit && image) {
        this.cache.used(key);
        print(' ---> Using cache\n');
        this.adopt(state, image);
        return;
      }
    }
    if (this.signal.aborted) throw cancelled();
    const parentSize = state.imageId ? this.o.images.get(state.imageId).size : 0;
    const image = await make(createdBy);
    this.cache.put({
      key,
      imageId: image.id,
      parentId,
      description: createdBy,
      size: Math.max(0, image.size - parentSize),
    });
    this.adopt(state, image);
  }

  private adopt(state: StageState, image: ImageRecord): void {
    state.imageId = image.id;
    state.config = structuredClone(image.config);
  }

  private imageOrUndefined(id: string): ImageRecord | undefined {
    try {
      return this.o.images.get(id);
    } catch {
      return undefined;
    }
  }

  private configStep(
    state: StageState,
    run: ImageRunConfig,
    createdBy: string,
    author?: string,
  ): Promise<ImageRecord> {
    return this.o.images.addStep({
      ...(state.imageId ? { parentId: state.imageId } : {}),
      makeConfig: (diffIds) => {
        const c = this.nextConfig(state, run, diffIds, createdBy, true);
        if (author !== undefined) c.author = author;
        return c;
      },
    });
  }

  private nextConfig(
    state: StageState,
    run: ImageRunConfig,
    diffIds: string[],
    createdBy: string,
    empty: boolean,
  ): ImageConfig {
    const created = new Date().toISOString();
    const base = state.config;
    const config: ImageConfig = {
      architecture: base.architecture,
      os: base.os,
      created,
      config: run,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        ...(base.history ?? []),
        { created, created_by: createdBy, ...(empty ? { empty_layer: true } : {}) },
      ],
    };
    if (base.variant !== undefined) config.variant = base.variant;
    if (base.author !== undefined) config.author = base.author;
    return config;
  }
}

function isEnv(run: ImageRunConfig, name: string): boolean {
  return (run.Env ?? []).some((e) => e.startsWith(`${name}=`));
}

function parseMode(text: string): number {
  if (!/^[0-7]{1,4}$/.test(text))
    throw new PolisError(
      'build.dockerfile_invalid',
      `invalid --chmod value ${text}: an octal mode is needed`,
    );
  return parseInt(text, 8);
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

export function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function withTag(tag: string): string {
  const slash = tag.lastIndexOf('/');
  return tag.slice(slash + 1).includes(':') || tag.includes('@') ? tag : `${tag}:latest`;
}
