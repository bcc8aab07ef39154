import type { Readable, Writable } from 'node:stream';

/** A volume as Polis records it; the API shapes it into Docker's `Volume`. */
export interface VolumeRecord {
  name: string;
  driver: string;
  /** RFC 3339, as Docker's `CreatedAt`. */
  createdAt: string;
  /** Host path of the volume's data (`<data-root>/volumes/<name>/_data`). */
  mountpoint: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Made for one container (`-v /path`, an image's Volumes). */
  anonymous: boolean;
}

export interface CreateVolumeRequest {
  /** Absent: a generated 64-hex name (an anonymous volume). */
  name?: string;
  driver?: string;
  driverOptions?: Record<string, string>;
  labels?: Record<string, string>;
  anonymous?: boolean;
}

/** A container naming a volume, and whether it runs now (a mounted volume stays mounted while one does). */
export interface VolumeUser {
  id: string;
  running: boolean;
}

/** Which containers use each volume, by volume name; given by the runtime from its records. */
export type VolumeUsers = () => Map<string, VolumeUser[]>;

export interface PruneVolumesOptions {
  filters?: Record<string, string[]>;
  /** API ≥ 1.42 without `all=true`: only anonymous volumes go. */
  anonymousOnly?: boolean;
}

/** A container's use of a volume at its start, for the `mount` event (Docker's attributes). */
export interface VolumeUse {
  container: string;
  destination: string;
  readonly: boolean;
  /** Docker leaves it empty for volumes. */
  propagation?: string;
}

/** Docker's volume events: `create`, `mount`, `unmount`, `destroy`; the volume's name is the actor. */
export interface VolumeEvent {
  action: 'create' | 'mount' | 'unmount' | 'destroy';
  name: string;
  /** `driver` always; `container`, `destination`, `read/write` and `propagation` for mount and unmount. */
  attributes: Record<string, string>;
}

/** What runtime and api use. */
export interface VolumeService {
  /** Creates a volume, or returns the existing one of that name (Docker's create is idempotent). */
  create(request: CreateVolumeRequest): { volume: VolumeRecord; created: boolean };
  get(name: string): VolumeRecord;
  find(name: string): VolumeRecord | undefined;
  list(filters?: Record<string, string[]>): VolumeRecord[];
  /** 409 `volume.in_use` while a container uses it, forced or not; forced, a missing volume is no error. */
  remove(name: string, options?: { force?: boolean }): Promise<void>;
  prune(options?: PruneVolumesOptions): Promise<{ deleted: string[]; reclaimed: number }>;
  /** Container ids using the volume. */
  usersOf(name: string): string[];
  /** Whether the volume's data directory holds nothing (copy-up only fills an empty volume, and never one with mount options). */
  isEmpty(name: string): Promise<boolean>;
  attachUsers(users: VolumeUsers): void;
  /**
   * A backup (zstd tar with manifest and digest), written by its `pipeTo`; a volume with mount options
   * is refused.
   */
  backup(name: string): Promise<Backup>;
  /**
   * Recreates a volume from a backup stream, named as in its manifest unless `name` is given; the data
   * is checked whole before the volume appears. 409 `volume.exists`, 400 `volume.backup_invalid`.
   */
  restore(source: Readable, options?: { name?: string }): Promise<VolumeRecord>;
  /**
   * Before a container starts: a volume with mount options (`-o type=tmpfs`, `type=none,o=bind`,
   * `size=`) is mounted on its `_data` at its first use. A plain directory needs nothing. With `use`,
   * a `mount` event names the container.
   */
  mount(name: string, use?: VolumeUse): Promise<void>;
  /**
   * After a container's run ended: unmounts the volume when no container using it runs any more. With
   * `container`, an `unmount` event names it.
   */
  release(name: string, container?: string): Promise<void>;
  /**
   * Mounts the volume for work outside a container (a copy into a stopped container's volume, a
   * backup) and keeps it mounted until the returned function is called, whatever containers do
   * meanwhile. Holds live in memory: after a crash, `reconcileMounts` counts only running users.
   */
  hold(name: string): Promise<() => Promise<void>>;
  /** Volume events as they happen (create, mount, unmount, destroy). Returns the unsubscribe. */
  onEvent(listener: (event: VolumeEvent) => void): () => void;
  /** At daemon start, after the containers are recovered: mounted exactly the volumes running containers use. */
  reconcileMounts(): Promise<void>;
}

/** A volume's backup, made while it is written into `dest` (which it ends, or destroys on failure). */
export interface Backup {
  pipeTo(dest: Writable): Promise<void>;
}
