import { PolisError, createLogger, errnoCode } from '@polis/core';
import { ANONYMOUS_LABEL } from '../volumes/manager.js';
import type { VolumeRecord, VolumeService } from '../volumes/types.js';
import { HeldTree } from './at.js';
import { applyPlan } from './apply.js';
import type { Entry, Tree } from './entry.js';
import { hashFiles } from './hash.js';
import { checksumCandidates, planSync, summarize, type Action, type SyncSummary } from './plan.js';
import { scanTree } from './scan.js';

const log = createLogger('storage');

export interface SyncRequest {
  source: string;
  destination: string;
  checksum?: boolean;
  delete?: boolean;
  dryRun?: boolean;
}

export interface SyncResult extends SyncSummary {
  source: string;
  destination: string;
  /** DEST did not exist and was made by this sync (never in a dry run). */
  created: boolean;
  dryRun: boolean;
  /** In a dry run, what would be done; a real run leaves it out. */
  actions?: Action[];
}

/** Destinations a sync is writing now: a second sync into one waits for nobody and is refused. */
const busy = new Set<string>();

/**
 * `polis volume sync SRC DEST`: makes DEST's data hold what SRC's holds, writing only what changed. A
 * missing DEST is made as a plain `local` volume with SRC's labels but not its driver options: a bind
 * option would make DEST the very directory SRC is, and a tmpfs would drop the copy at once. A volume
 * with mount options is mounted for the sync and released after, as a container's start and stop do.
 * If DEST was made here and the sync fails, it is removed again.
 */
export async function syncVolumes(volumes: VolumeService, req: SyncRequest): Promise<SyncResult> {
  const src = volumes.get(req.source);
  if (req.destination === req.source) {
    throw new PolisError('volume.invalid', `sync ${req.source}: source and destination are the same volume`, {
      context: { name: req.source },
    });
  }
  if (busy.has(req.destination)) {
    throw new PolisError('volume.busy', `sync into ${req.destination}: another sync is writing it`, {
      context: { name: req.destination },
    });
  }
  busy.add(req.destination);
  let dest = volumes.find(req.destination);
  let created = false;
  try {
    if (!dest && !req.dryRun) {
      dest = volumes.create({
        name: req.destination,
        driver: src.driver,
        labels: labelsOf(src),
        anonymous: false,
      }).volume;
      created = true;
    }
    const result = await syncData(volumes, src, dest, req);
    return { ...result, created };
  } catch (err) {
    if (created) {
      await volumes
        .remove(req.destination)
        .catch((e: unknown) =>
          log.warn('removing a volume a failed sync made', { volume: req.destination, err: e }),
        );
    }
    throw err;
  } finally {
    busy.delete(req.destination);
  }
}

function labelsOf(v: VolumeRecord): Record<string, string> {
  const { [ANONYMOUS_LABEL]: _anonymous, ...labels } = v.labels;
  return labels;
}

async function syncData(
  volumes: VolumeService,
  src: VolumeRecord,
  dest: VolumeRecord | undefined,
  req: SyncRequest,
): Promise<Omit<SyncResult, 'created'>> {
  const mounted: string[] = [];
  const trees: HeldTree[] = [];
  try {
    for (const v of dest ? [src, dest] : [src]) {
      await volumes.mount(v.name);
      mounted.push(v.name);
    }
    const srcTree = await HeldTree.open(src.mountpoint);
    trees.push(srcTree);
    const dstTree = dest ? await HeldTree.open(dest.mountpoint) : undefined;
    if (dstTree) trees.push(dstTree);
    const [s, d] = await Promise.all([scanTree(srcTree), dstTree ? scanTree(dstTree) : undefined]).catch(
      (err: unknown) => {
        throw changedMeanwhile(err);
      },
    );
    if (d && s.root.ino === d.root.ino && (await sameDevice(srcTree, dstTree as HeldTree))) {
      throw new PolisError(
        'volume.invalid',
        `sync ${src.name} ${dest?.name}: both volumes hold the same directory`,
        {
          context: { name: src.name },
        },
      );
    }
    const dstRoot: Entry = d?.root ?? s.root;
    const dstEntries: Tree = d?.entries ?? new Map();
    const options = { checksum: req.checksum === true, delete: req.delete === true };
    const hashes = { src: new Map<string, string>(), dst: new Map<string, string>() };
    if (options.checksum && dstTree) {
      const candidates = checksumCandidates(s.entries, dstEntries);
      [hashes.src, hashes.dst] = await Promise.all([
        hashFiles(srcTree, candidates),
        hashFiles(dstTree, candidates),
      ]).catch((err: unknown) => {
        throw changedMeanwhile(err);
      });
    }
    const plan = planSync(s.root, dstRoot, s.entries, dstEntries, options, hashes);
    if (!req.dryRun && dstTree) {
      const work = { src: srcTree, dst: dstTree, srcRoot: s.root, srcEntries: s.entries, dstEntries };
      await applyPlan(plan, work).catch((err: unknown) => {
        throw changedMeanwhile(err);
      });
    }
    return {
      ...summarize(plan),
      source: src.name,
      destination: req.destination,
      dryRun: req.dryRun === true,
      ...(req.dryRun ? { actions: plan.actions } : {}),
    };
  } finally {
    await Promise.all(trees.map((t) => t.close()));
    for (const name of mounted) {
      await volumes
        .release(name)
        .catch((err: unknown) => log.warn('releasing a volume after a sync', { volume: name, err }));
    }
  }
}

/**
 * A name that became a symlink (ELOOP under O_NOFOLLOW), a file where a directory was (ENOTDIR) or a name
 * gone (ENOENT) means a container changed the tree while we wrote it: a conflict to retry, not a fault.
 */
function changedMeanwhile(err: unknown): unknown {
  const code = errnoCode(err);
  if (code !== 'ELOOP' && code !== 'ENOTDIR' && code !== 'ENOENT') return err;
  return new PolisError(
    'volume.busy',
    `the volume changed while it was synced (${code}); run the sync again`,
    {
      cause: err,
    },
  );
}

async function sameDevice(a: HeldTree, b: HeldTree): Promise<boolean> {
  const [sa, sb] = await Promise.all([a.root.stat(), b.root.stat()]);
  return sa.dev === sb.dev && sa.ino === sb.ino;
}
