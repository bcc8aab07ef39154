import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  emptySpec,
  generateId,
  PolisError,
  createdState,
  type ContainerRecord,
  type ContainerSpec,
  type ImageRecord,
} from '@polis/core';
import type {
  FsChange,
  TreeExport,
  ImageDeleteItem,
  ImageService,
  ImportOptions,
  LayerRow,
  PruneOptions,
  PullOptions,
  PullResult,
  PushOptions,
  PushResult,
  RegistryCredentials,
  RemoveImageOptions,
  RootfsLayout,
} from '@polis/image';
import type {
  AttachOptions,
  ContainerService,
  CreateOptions,
  ListOptions,
  LogEntry,
  LogOptions,
  StopOptions,
  WaitCondition,
  WaitResult,
  SecurityReport,
  TopResult,
  UpdateOptions,
  ExecConfig,
  ExecRecord,
  CommitOptions,
} from '@polis/runtime';
import type { ApiDeps } from '../types.js';
import { FakeNetworks } from './fake-networks.js';

/** In-memory stand-ins for the runtime and the image store, for unit tests of the API above them. */

export function imageRecord(name: string, overrides: Partial<ImageRecord> = {}): ImageRecord {
  const id = `sha256:${createHash('sha256').update(name).digest('hex')}`;
  return {
    id,
    repoTags: [name],
    repoDigests: [],
    manifestDigest: id,
    config: {
      created: '2024-01-02T03:04:05Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['sh'], Env: ['PATH=/usr/bin:/bin'], Labels: { from: 'image' } },
      rootfs: { type: 'layers', diff_ids: [`sha256:${'a'.repeat(64)}`] },
      history: [{ created: '2024-01-02T03:04:05Z', created_by: 'import', comment: 'Imported from -' }],
    },
    size: 1_234_567,
    created: '2024-01-02T03:04:05Z',
    chainIds: [`sha256:${'a'.repeat(64)}`],
    ...overrides,
  };
}

export class FakeImages implements ImageService {
  readonly images: ImageRecord[] = [imageRecord('docker.io/library/busybox:latest')];
  readonly imports: { bytes: number; options: ImportOptions }[] = [];

  async importTarball(input: Readable, options: ImportOptions): Promise<ImageRecord> {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of input as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    if (bytes === 0) throw new PolisError('image.layer_invalid', 'empty tarball');
    this.imports.push({ bytes, options });
    const record = imageRecord(options.reference ?? hash.digest('hex'), {
      repoTags: options.reference ? [`docker.io/library/${options.reference}`] : [],
    });
    this.images.push(record);
    return record;
  }

  list(): ImageRecord[] {
    return [...this.images];
  }

  get(reference: string): ImageRecord {
    const full =
      reference.includes(':') || reference.startsWith('sha256') ? reference : `${reference}:latest`;
    const found = this.images.find(
      (i) =>
        i.id === reference ||
        i.id === `sha256:${reference}` ||
        i.repoTags.some((t) => t === full || t.endsWith(`/${full}`)),
    );
    if (!found) throw new PolisError('image.not_found', `No such image: ${reference}`);
    return found;
  }

  tag(reference: string, target: string): void {
    this.get(reference).repoTags.push(target);
  }

  async remove(reference: string, options: RemoveImageOptions = {}): Promise<ImageDeleteItem[]> {
    const image = this.get(reference);
    if (!options.force && options.inUse?.(image.id)) {
      throw new PolisError('image.in_use', `conflict: unable to remove repository reference "${reference}"`);
    }
    this.images.splice(this.images.indexOf(image), 1);
    return [...image.repoTags.map((t) => ({ Untagged: t })), { Deleted: image.id }];
  }

  async mountRootfs(_imageId: string, containerDir: string): Promise<RootfsLayout> {
    return {
      lowerDirs: [],
      upperDir: `${containerDir}/upper`,
      workDir: `${containerDir}/work`,
      target: `${containerDir}/rootfs`,
    };
  }

  async unmountRootfs(): Promise<void> {}

  async containerChanges(): Promise<FsChange[]> {
    return [];
  }

  exportRootfs(): Promise<TreeExport> {
    throw new PolisError('request.not_implemented', 'the fake image service exports nothing');
  }

  commitContainer(): Promise<ImageRecord> {
    throw new PolisError('request.not_implemented', 'the fake image service commits nothing');
  }

  readonly pulls: { reference: string; options: PullOptions }[] = [];
  readonly logins: { server: string; credentials: RegistryCredentials }[] = [];

  /** Emits a short progress stream; a reference containing `missing` is unknown to the registry. */
  async pull(reference: string, options: PullOptions = {}): Promise<PullResult> {
    this.pulls.push({ reference, options });
    options.onProgress?.({ id: 'latest', status: 'Pulling from library/busybox' });
    if (reference.includes('missing')) {
      throw new PolisError(
        'registry.manifest_unknown',
        `manifest for ${reference} not found: manifest unknown`,
      );
    }
    options.onProgress?.({ id: 'aaaaaaaaaaaa', status: 'Downloading', current: 5, total: 10 });
    const image = this.get('busybox');
    return { image, digest: `sha256:${'d'.repeat(64)}`, name: reference, upToDate: false };
  }

  async push(reference: string, options: PushOptions = {}): Promise<PushResult[]> {
    this.get(reference);
    options.onProgress?.({ status: `The push refers to repository [${reference}]` });
    return [{ tag: 'latest', digest: `sha256:${'e'.repeat(64)}`, size: 527 }];
  }

  async login(server: string, credentials: RegistryCredentials): Promise<void> {
    this.logins.push({ server, credentials });
    if (credentials.password !== 'right')
      throw new PolisError('registry.unauthorized', 'unauthorized: bad credentials');
  }

  async commitImage(): Promise<ImageRecord> {
    throw new PolisError('request.not_implemented', 'the fake stores no blobs');
  }

  layersOf(): LayerRow[] {
    return [];
  }

  async prune(options: PruneOptions): Promise<{ items: ImageDeleteItem[]; reclaimed: number }> {
    const gone = this.images.filter((i) => (options.all || i.repoTags.length === 0) && !options.inUse(i.id));
    for (const image of gone) this.images.splice(this.images.indexOf(image), 1);
    return { items: gone.map((i) => ({ Deleted: i.id })), reclaimed: gone.reduce((n, i) => n + i.size, 0) };
  }

  async verify(): Promise<string[]> {
    return [];
  }
}

/** A feed of log entries that a test pushes into and ends. */
export class Feed implements AsyncIterable<LogEntry> {
  private readonly queue: LogEntry[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(stream: 'stdout' | 'stderr', text: string, time = '2024-05-01T10:00:00.123456789Z'): void {
    this.queue.push({ stream, time, data: Buffer.from(text) });
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LogEntry> {
    for (;;) {
      const next = this.queue.shift();
      if (next) yield next;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

interface Waiter {
  id: string;
  condition: WaitCondition;
  resolve: (r: WaitResult) => void;
}

export class FakeContainers implements ContainerService {
  readonly records: ContainerRecord[] = [];
  readonly calls: { verb: string; args: unknown[] }[] = [];
  readonly waiters: Waiter[] = [];
  logEntries: LogEntry[] = [];
  attachFeed = new Feed();
  lastLogOptions: LogOptions | undefined;
  lastAttach: AttachOptions | undefined;

  constructor(private readonly images: FakeImages) {}

  // Copy in and out works on a real root file system only: its tests run against polisd.
  statPath(): Promise<never> {
    return Promise.reject(new PolisError('request.not_implemented', 'archive is not faked'));
  }

  getArchive(): Promise<never> {
    return Promise.reject(new PolisError('request.not_implemented', 'archive is not faked'));
  }

  putArchive(): Promise<never> {
    return Promise.reject(new PolisError('request.not_implemented', 'archive is not faked'));
  }

  async create(spec: ContainerSpec, options: CreateOptions = {}): Promise<ContainerRecord> {
    const image = this.images.get(spec.image);
    this.calls.push({ verb: 'create', args: [spec, options] });
    const id = generateId();
    const name = options.name ?? `fake_${this.records.length}`;
    if (this.records.some((r) => r.name === name)) {
      throw new PolisError(
        'container.name_in_use',
        `Conflict. The container name "/${name}" is already in use`,
      );
    }
    const dir = `/var/lib/polis/containers/${id}`;
    const record: ContainerRecord = {
      id,
      name,
      created: new Date().toISOString(),
      imageId: image.id,
      imageRef: spec.image,
      spec,
      process: {
        path: spec.basic.entrypoint?.[0] ?? spec.basic.cmd?.[0] ?? 'sh',
        args: spec.basic.cmd?.slice(1) ?? [],
        env: ['PATH=/usr/bin:/bin', ...spec.basic.env],
        workingDir: spec.basic.workingDir ?? '/',
        user: spec.basic.user ?? '',
      },
      hostname: spec.basic.hostname ?? id.slice(0, 12),
      runtime: spec.runtime ?? 'crun',
      state: createdState(),
      restartCount: 0,
      startCount: 0,
      paths: {
        dir,
        bundle: dir,
        rootfs: `${dir}/rootfs`,
        logPath: `${dir}/ctr.log`,
        hostsPath: `${dir}/hosts`,
        hostnamePath: `${dir}/hostname`,
        resolvConfPath: `${dir}/resolv.conf`,
      },
    };
    this.records.push(record);
    return record;
  }

  /** Adds a container directly, for list and inspect tests. */
  add(name: string, mutate: (r: ContainerRecord) => void = () => undefined): ContainerRecord {
    const spec = emptySpec('busybox');
    const image = this.images.get('busybox');
    const record: ContainerRecord = {
      id: generateId(),
      name,
      created: '2024-05-01T10:00:00.000000001Z',
      imageId: image.id,
      imageRef: 'busybox',
      spec,
      process: { path: 'sh', args: ['-c', 'echo hi'], env: ['PATH=/bin'], workingDir: '/', user: '' },
      hostname: 'host1',
      runtime: 'crun',
      state: createdState(),
      restartCount: 0,
      startCount: 0,
      paths: {
        dir: '/d',
        bundle: '/d',
        rootfs: '/d/rootfs',
        logPath: '/d/ctr.log',
        hostsPath: '/d/hosts',
        hostnamePath: '/d/hostname',
        resolvConfPath: '/d/resolv.conf',
      },
    };
    mutate(record);
    this.records.push(record);
    return record;
  }

  get(reference: string): ContainerRecord {
    const found = this.records.find(
      (r) => r.id === reference || r.name === reference || r.id.startsWith(reference),
    );
    if (!found) throw new PolisError('container.not_found', `No such container: ${reference}`);
    return found;
  }

  async start(reference: string): Promise<ContainerRecord> {
    const r = this.get(reference);
    this.calls.push({ verb: 'start', args: [r.id] });
    if (r.state.status === 'running')
      throw new PolisError('container.already_started', 'container already started');
    r.state = { ...r.state, status: 'running', pid: 4242, startedAt: new Date().toISOString() };
    return r;
  }

  /** Ends a running container as if its process exited, releasing waiters. */
  exit(reference: string, code: number): void {
    const r = this.get(reference);
    r.state = { ...r.state, status: 'exited', pid: 0, exitCode: code, finishedAt: new Date().toISOString() };
    for (const w of this.waiters.splice(0).filter((w) => w.id === r.id)) w.resolve({ StatusCode: code });
  }

  async stop(reference: string, options: StopOptions = {}): Promise<void> {
    const r = this.get(reference);
    this.calls.push({ verb: 'stop', args: [r.id, options] });
    if (r.state.status !== 'running')
      throw new PolisError('container.already_stopped', 'container already stopped');
    this.exit(r.id, 143);
  }

  async kill(reference: string, signal?: string): Promise<void> {
    const r = this.get(reference);
    this.calls.push({ verb: 'kill', args: [r.id, signal] });
    if (r.state.status !== 'running')
      throw new PolisError('container.not_running', `Container ${r.id} is not running`);
  }

  async restart(reference: string, options: StopOptions = {}): Promise<void> {
    this.calls.push({ verb: 'restart', args: [this.get(reference).id, options] });
  }

  async pause(reference: string): Promise<void> {
    this.calls.push({ verb: 'pause', args: [this.get(reference).id] });
  }

  async unpause(reference: string): Promise<void> {
    this.calls.push({ verb: 'unpause', args: [this.get(reference).id] });
  }

  async remove(reference: string, options = {}): Promise<void> {
    const r = this.get(reference);
    this.calls.push({ verb: 'remove', args: [r.id, options] });
    this.records.splice(this.records.indexOf(r), 1);
  }

  async update(reference: string, changes: UpdateOptions): Promise<void> {
    this.calls.push({ verb: 'update', args: [reference, changes] });
    const record = this.get(reference);
    if (changes.restartPolicy) record.spec.lifecycle.restartPolicy = changes.restartPolicy;
  }

  createExec(reference: string, config: ExecConfig): ExecRecord {
    const container = this.get(reference);
    return {
      id: 'e'.repeat(64),
      containerId: container.id,
      config,
      running: false,
      exitCode: undefined,
      pid: 0,
      started: false,
    };
  }

  async startExec(): Promise<AsyncIterable<LogEntry>> {
    return (async function* () {})();
  }

  inspectExec(id: string): ExecRecord {
    throw new PolisError('container.not_found', `No such exec instance: ${id}`);
  }

  async resizeExec(): Promise<void> {}

  async resize(reference: string, height: number, width: number): Promise<void> {
    this.calls.push({ verb: 'resize', args: [reference, height, width] });
    this.get(reference);
  }

  async changes(reference: string): Promise<FsChange[]> {
    this.calls.push({ verb: 'changes', args: [reference] });
    this.get(reference);
    return [{ path: '/new', kind: 1 }];
  }

  async export(reference: string): Promise<Readable> {
    this.calls.push({ verb: 'export', args: [reference] });
    this.get(reference);
    throw new PolisError('request.not_implemented', 'the fake runtime exports nothing');
  }

  async commit(reference: string, options: CommitOptions): Promise<ImageRecord> {
    this.calls.push({ verb: 'commit', args: [reference, options] });
    this.get(reference);
    return { id: `sha256:${'c'.repeat(64)}` } as ImageRecord;
  }

  async top(reference: string, psArgs?: string): Promise<TopResult> {
    this.calls.push({ verb: 'top', args: [reference, psArgs] });
    this.get(reference);
    return { Titles: ['UID', 'PID', 'CMD'], Processes: [['root', '1', 'sleep 300']] };
  }

  async security(reference: string): Promise<SecurityReport> {
    this.calls.push({ verb: 'security', args: [reference] });
    const record = this.get(reference);
    if (record.state.status !== 'running') {
      throw new PolisError('container.not_running', `Container ${record.id} is not running`);
    }
    return {
      pid: record.state.pid,
      capabilities: { effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'], bounding: ['CAP_CHOWN'] },
      seccomp: { mode: 2, modeName: 'filter', profileDigest: 'sha256:00' },
      noNewPrivileges: false,
      namespaces: { pid: 'private' },
      uidMap: [{ containerId: 0, hostId: 0, size: 4294967295 }],
      gidMap: [{ containerId: 0, hostId: 0, size: 4294967295 }],
      readonlyRootfs: false,
      privileged: false,
      maskedPaths: [{ path: '/proc/kcore', state: 'masked' }],
      limits: { version: 'v1', memoryLimit: null, cpuQuota: null, cpuPeriod: 100000, pidsMax: null },
    };
  }

  async rename(reference: string, newName: string): Promise<void> {
    this.get(reference).name = newName;
  }

  wait(reference: string, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult> {
    const r = this.get(reference);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { id: r.id, condition, resolve };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new PolisError('internal', 'wait aborted'));
      });
    });
  }

  list(options: ListOptions = {}): ContainerRecord[] {
    this.calls.push({ verb: 'list', args: [options] });
    return this.records.filter((r) => options.all || r.state.status === 'running');
  }

  async *logs(reference: string, options: LogOptions): AsyncIterable<LogEntry> {
    this.get(reference);
    this.lastLogOptions = options;
    for (const e of this.logEntries)
      if ((e.stream === 'stdout' && options.stdout) || (e.stream === 'stderr' && options.stderr)) yield e;
  }

  attach(reference: string, options: AttachOptions): AsyncIterable<LogEntry> {
    this.get(reference);
    this.lastAttach = options;
    return this.attachFeed;
  }

  killExec(): void {}

  forgetExec(): void {}

  probe(): Promise<{ exitCode: number; output: Buffer; timedOut: boolean }> {
    return Promise.resolve({ exitCode: 0, output: Buffer.alloc(0), timedOut: false });
  }

  recordHealth(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  runningPid(id: string): number | undefined {
    const r = this.records.find((c) => c.id === id);
    return r?.state.status === 'running' && r.state.pid > 0 ? r.state.pid : undefined;
  }

  usingImage(imageId: string): string[] {
    return this.records.filter((r) => r.imageId === imageId).map((r) => r.id);
  }
}

export function fakeDeps(): { deps: ApiDeps; containers: FakeContainers; images: FakeImages } {
  const images = new FakeImages();
  const containers = new FakeContainers(images);
  const deps: ApiDeps = {
    containers,
    images,
    system: {
      info: () => ({
        ID: 'fake-id',
        Name: 'fakehost',
        Containers: containers.records.length,
        ContainersRunning: containers.records.filter((r) => r.state.status === 'running').length,
        ContainersPaused: 0,
        ContainersStopped: containers.records.filter((r) => r.state.status !== 'running').length,
        Images: images.images.length,
        Driver: 'overlay2',
        DockerRootDir: '/var/lib/polis',
        OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
        OSType: 'linux',
        Architecture: 'x86_64',
        NCPU: 2,
        MemTotal: 24 * 1024 ** 3,
        KernelVersion: '6.1.0',
        ServerVersion: '0.1.0',
        Runtimes: { crun: { path: '/usr/bin/crun' }, runc: { path: '/usr/bin/runc' } },
        DefaultRuntime: 'crun',
        CgroupDriver: 'cgroupfs',
        CgroupVersion: '2',
        SecurityOptions: ['name=seccomp,profile=builtin'],
        LoggingDriver: 'k8s-file',
      }),
      version: () => ({
        Version: '0.1.0',
        GitCommit: 'abc123',
        BuildTime: '2024-05-01T00:00:00Z',
        KernelVersion: '6.1.0',
      }),
    },
  };
  return { deps, containers, images };
}

export { FakeNetworks } from './fake-networks.js';

/** `fakeDeps()` with a network layer (`/networks`, the network fields of containers). */
export function fakeNetworkDeps(): ReturnType<typeof fakeDeps> & { networks: FakeNetworks } {
  const base = fakeDeps();
  const networks = new FakeNetworks();
  base.deps.networks = networks;
  return { ...base, networks };
}
