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

/** Which containers use each volume, by volume name (container ids); given by the runtime. */
export type VolumeUsers = () => Map<string, string[]>;

export interface PruneVolumesOptions {
  filters?: Record<string, string[]>;
  /** API ≥ 1.42 without `all=true`: only anonymous volumes go. */
  anonymousOnly?: boolean;
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
  /** Whether the volume's data directory holds nothing (copy-up only fills an empty volume). */
  isEmpty(name: string): Promise<boolean>;
  attachUsers(users: VolumeUsers): void;
}
