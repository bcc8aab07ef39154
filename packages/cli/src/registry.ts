/**
 * Every command, by the words that name it, with a loader for its one file: `polis <cmd>` imports only
 * the file it runs, which keeps start-up short.
 */
import type { CommandModule } from './cli.js';

export interface Entry {
  summary: string;
  load: () => Promise<CommandModule>;
}

const run: Entry = {
  summary: 'Create and run a new container from an image',
  load: () => import('./commands/container/run.js'),
};
const attach: Entry = {
  summary: 'Attach local standard input, output, and error streams to a running container',
  load: () => import('./commands/container/attach.js'),
};
const exec: Entry = {
  summary: 'Execute a command in a running container',
  load: () => import('./commands/container/exec.js'),
};
const create: Entry = {
  summary: 'Create a new container',
  load: () => import('./commands/container/create.js'),
};
const start: Entry = {
  summary: 'Start one or more stopped containers',
  load: () => import('./commands/container/start.js'),
};
const stop: Entry = {
  summary: 'Stop one or more running containers',
  load: () => import('./commands/container/stop.js'),
};
const kill: Entry = {
  summary: 'Kill one or more running containers',
  load: () => import('./commands/container/kill.js'),
};
const restart: Entry = {
  summary: 'Restart one or more containers',
  load: () => import('./commands/container/restart.js'),
};
const rm: Entry = {
  summary: 'Remove one or more containers',
  load: () => import('./commands/container/rm.js'),
};
const ps: Entry = { summary: 'List containers', load: () => import('./commands/container/ps.js') };
const logs: Entry = {
  summary: 'Fetch the logs of a container',
  load: () => import('./commands/container/logs.js'),
};
const wait: Entry = {
  summary: 'Block until one or more containers stop, then print their exit codes',
  load: () => import('./commands/container/wait.js'),
};
const rename: Entry = { summary: 'Rename a container', load: () => import('./commands/container/rename.js') };
const pause: Entry = {
  summary: 'Pause all processes within one or more containers',
  load: () => import('./commands/container/pause.js'),
};
const unpause: Entry = {
  summary: 'Unpause all processes within one or more containers',
  load: () => import('./commands/container/unpause.js'),
};
const containerInspect: Entry = {
  summary: 'Display detailed information on one or more containers',
  load: () => import('./commands/container/inspect.js'),
};
const diff: Entry = {
  summary: "Inspect changes to files or directories on a container's filesystem",
  load: () => import('./commands/container/diff.js'),
};
const exportContainer: Entry = {
  summary: "Export a container's filesystem as a tar archive",
  load: () => import('./commands/container/export.js'),
};
const commit: Entry = {
  summary: "Create a new image from a container's changes",
  load: () => import('./commands/container/commit.js'),
};
const top: Entry = {
  summary: 'Display the running processes of a container',
  load: () => import('./commands/container/top.js'),
};
const stats: Entry = {
  summary: 'Display a live stream of container(s) resource usage statistics',
  load: () => import('./commands/container/stats.js'),
};
const update: Entry = {
  summary: 'Update configuration of one or more containers',
  load: () => import('./commands/container/update.js'),
};
const cp: Entry = {
  summary: 'Copy files/folders between a container and the local filesystem',
  load: () => import('./commands/container/cp.js'),
};
const port: Entry = {
  summary: 'List port mappings or a specific mapping for the container',
  load: () => import('./commands/container/port.js'),
};
const networkConnect: Entry = {
  summary: 'Connect a container to a network',
  load: () => import('./commands/network/connect.js'),
};
const networkCreate: Entry = {
  summary: 'Create a network',
  load: () => import('./commands/network/create.js'),
};
const networkDisconnect: Entry = {
  summary: 'Disconnect a container from a network',
  load: () => import('./commands/network/disconnect.js'),
};
const networkInspect: Entry = {
  summary: 'Display detailed information on one or more networks',
  load: () => import('./commands/network/inspect.js'),
};
const networkLs: Entry = {
  summary: 'List networks',
  load: () => import('./commands/network/ls.js'),
};
const networkPrune: Entry = {
  summary: 'Remove all unused networks',
  load: () => import('./commands/network/prune.js'),
};
const networkRm: Entry = {
  summary: 'Remove one or more networks',
  load: () => import('./commands/network/rm.js'),
};
const volumeBackup: Entry = {
  summary: 'Back up a volume to a compressed archive',
  load: () => import('./commands/volume/backup.js'),
};
const volumeRestore: Entry = {
  summary: 'Recreate a volume from a backup',
  load: () => import('./commands/volume/restore.js'),
};
const volumeCreate: Entry = {
  summary: 'Create a volume',
  load: () => import('./commands/volume/create.js'),
};
const volumeInspect: Entry = {
  summary: 'Display detailed information on one or more volumes',
  load: () => import('./commands/volume/inspect.js'),
};
const volumeLs: Entry = { summary: 'List volumes', load: () => import('./commands/volume/ls.js') };
const volumePrune: Entry = {
  summary: 'Remove unused local volumes',
  load: () => import('./commands/volume/prune.js'),
};
const volumeSync: Entry = {
  summary: 'Copy into a volume what changed in another (Polis only)',
  load: () => import('./commands/volume/sync.js'),
};
const volumeRm: Entry = {
  summary: 'Remove one or more volumes',
  load: () => import('./commands/volume/rm.js'),
};
const events: Entry = {
  summary: 'Get real time events from the server',
  load: () => import('./commands/system/events.js'),
};
const systemDf: Entry = {
  summary: 'Show docker disk usage',
  load: () => import('./commands/system/df.js'),
};
const systemHealth: Entry = {
  summary: "Show the health of Polis's components",
  load: () => import('./commands/system/health.js'),
};
// Literal paths, one per verb: a bundler (esbuild, `bun build --compile`) follows only those.
const ALERT_LOADERS: Record<string, () => Promise<CommandModule>> = {
  add: () => import('./commands/alert/add.js'),
  history: () => import('./commands/alert/history.js'),
  ls: () => import('./commands/alert/ls.js'),
  rm: () => import('./commands/alert/rm.js'),
  test: () => import('./commands/alert/test.js'),
};
const alertEntry = (verb: string, summary: string): Entry => ({
  summary,
  load: ALERT_LOADERS[verb] as () => Promise<CommandModule>,
});
const COMPOSE_LOADERS: Record<string, () => Promise<CommandModule>> = {
  config: () => import('./commands/compose/config.js'),
  convert: () => import('./commands/compose/convert.js'),
  down: () => import('./commands/compose/down.js'),
  events: () => import('./commands/compose/events.js'),
  exec: () => import('./commands/compose/exec.js'),
  logs: () => import('./commands/compose/logs.js'),
  ps: () => import('./commands/compose/ps.js'),
  pull: () => import('./commands/compose/pull.js'),
  restart: () => import('./commands/compose/restart.js'),
  rollback: () => import('./commands/compose/rollback.js'),
  start: () => import('./commands/compose/start.js'),
  stop: () => import('./commands/compose/stop.js'),
  top: () => import('./commands/compose/top.js'),
  up: () => import('./commands/compose/up.js'),
};
const composeEntry = (verb: string, summary: string): Entry => ({
  summary,
  load: COMPOSE_LOADERS[verb] as () => Promise<CommandModule>,
});
const info: Entry = {
  summary: 'Display system-wide information',
  load: () => import('./commands/system/info.js'),
};
const importImage: Entry = {
  summary: 'Import the contents from a tarball to create a filesystem image',
  load: () => import('./commands/image/import.js'),
};
const images: Entry = { summary: 'List images', load: () => import('./commands/image/ls.js') };
const imageInspect: Entry = {
  summary: 'Display detailed information on one or more images',
  load: () => import('./commands/image/inspect.js'),
};
const rmi: Entry = { summary: 'Remove one or more images', load: () => import('./commands/image/rm.js') };
const tag: Entry = {
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  load: () => import('./commands/image/tag.js'),
};

const pull: Entry = {
  summary: 'Download an image from a registry',
  load: () => import('./commands/image/pull.js'),
};
const push: Entry = {
  summary: 'Upload an image to a registry',
  load: () => import('./commands/image/push.js'),
};
const save: Entry = {
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  load: () => import('./commands/image/save.js'),
};
const load: Entry = {
  summary: 'Load an image from a tar archive or STDIN',
  load: () => import('./commands/image/load.js'),
};
const history: Entry = {
  summary: 'Show the history of an image',
  load: () => import('./commands/image/history.js'),
};
const imagePrune: Entry = {
  summary: 'Remove unused images',
  load: () => import('./commands/image/prune.js'),
};
const login: Entry = {
  summary: 'Log in to a registry',
  load: () => import('./commands/system/login.js'),
};
const logout: Entry = {
  summary: 'Log out from a registry',
  load: () => import('./commands/system/logout.js'),
};

/** Top-level commands, in the order `polis --help` lists them. */
const build: Entry = {
  summary: 'Build an image from a Dockerfile',
  load: () => import('./commands/image/build.js'),
};
const builderPrune: Entry = {
  summary: 'Remove build cache',
  load: () => import('./commands/image/builder-prune.js'),
};

export const COMMANDS: Record<string, Entry> = {
  build,
  run,
  exec,
  ps,
  pull,
  push,
  images,
  login,
  logout,
  import: importImage,
  info,
  version: {
    summary: 'Show the Polis version information',
    load: () => import('./commands/system/version.js'),
  },
  attach,
  commit,
  completion: {
    summary: 'Print a shell completion script (bash)',
    load: () => import('./commands/system/completion.js'),
  },
  cp,
  create,
  diff,
  events,
  export: exportContainer,
  history,
  inspect: {
    summary: 'Return low-level information on Polis objects',
    load: () => import('./commands/system/inspect.js'),
  },
  kill,
  load,
  logs,
  pause,
  port,
  rename,
  restart,
  rm,
  rmi,
  save,
  start,
  stats,
  stop,
  tag,
  top,
  unpause,
  update,
  wait,
};

/** Management commands (`polis container ls`), with docker's aliases. */
export const GROUPS: Record<string, { summary: string; commands: Record<string, Entry> }> = {
  container: {
    summary: 'Manage containers',
    commands: {
      attach,
      commit,
      cp,
      create,
      diff,
      exec,
      export: exportContainer,
      inspect: containerInspect,
      kill,
      logs,
      ls: ps,
      list: ps,
      ps,
      pause,
      port,
      rename,
      restart,
      rm,
      remove: rm,
      run,
      start,
      stats,
      stop,
      top,
      unpause,
      update,
      wait,
    },
  },
  builder: {
    summary: 'Manage builds',
    commands: { build, prune: builderPrune },
  },
  image: {
    summary: 'Manage images',
    commands: {
      build,
      history,
      import: importImage,
      inspect: imageInspect,
      load,
      ls: images,
      list: images,
      prune: imagePrune,
      pull,
      push,
      rm: rmi,
      remove: rmi,
      save,
      tag,
    },
  },
  network: {
    summary: 'Manage networks',
    commands: {
      connect: networkConnect,
      create: networkCreate,
      disconnect: networkDisconnect,
      inspect: networkInspect,
      ls: networkLs,
      list: networkLs,
      prune: networkPrune,
      rm: networkRm,
      remove: networkRm,
    },
  },
  volume: {
    summary: 'Manage volumes',
    commands: {
      backup: volumeBackup,
      create: volumeCreate,
      inspect: volumeInspect,
      ls: volumeLs,
      list: volumeLs,
      prune: volumePrune,
      rm: volumeRm,
      remove: volumeRm,
      restore: volumeRestore,
      sync: volumeSync,
    },
  },
  alert: {
    summary: 'Manage alert rules and notifications (Polis only)',
    commands: {
      add: alertEntry('add', 'Add an alert rule'),
      history: alertEntry('history', 'Show firings, resolves and delivery attempts'),
      ls: alertEntry('ls', 'List alert rules and what fires now'),
      list: alertEntry('ls', 'List alert rules and what fires now'),
      rm: alertEntry('rm', 'Remove alert rules'),
      remove: alertEntry('rm', 'Remove alert rules'),
      test: alertEntry('test', "Send a test notice through an alert's actions"),
    },
  },
  compose: {
    summary: 'Run stacks from compose files; polisd keeps them at their desired state',
    commands: {
      config: composeEntry('config', 'Validate and print the normalised project'),
      convert: composeEntry('convert', 'Print the stack as Kubernetes manifests'),
      down: composeEntry('down', 'Stop and remove a stack'),
      events: composeEntry('events', "A stack's events"),
      exec: composeEntry('exec', "Execute a command in a service's container"),
      logs: composeEntry('logs', "A stack's logs"),
      ps: composeEntry('ps', 'Desired and running replicas, health, last error'),
      pull: composeEntry('pull', "Pull the services' images"),
      restart: composeEntry('restart', "Restart a stack's containers"),
      rollback: composeEntry('rollback', "Restore a service's previous configuration"),
      start: composeEntry('start', 'Start a stopped stack'),
      stop: composeEntry('stop', "Stop a stack's containers"),
      top: composeEntry('top', "The processes of a stack's containers"),
      up: composeEntry('up', 'Create and start a stack'),
    },
  },
  service: {
    summary: "Manage a stack's services",
    commands: {
      autoscale: {
        summary: "Set or remove a service's autoscale policy",
        load: () => import('./commands/service/autoscale.js'),
      },
    },
  },
  system: {
    summary: 'Manage Polis',
    commands: { df: systemDf, events, health: systemHealth, info },
  },
};
