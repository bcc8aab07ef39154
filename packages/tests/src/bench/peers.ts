/**
 * The peers the benchmark compares with are Debian's podman, docker.io and containerd. They are installed when
 * missing (BENCH_INSTALL_PEERS=0 skips that), and docker gets a dockerd of the bench's own: its own data
 * root, exec root and socket, no iptables rules and no bridge (the bench runs docker with
 * `--network none`), stopped and removed at the end. What cannot be set up is reported, never replaced.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../harness/run.js';
import { setBenchDockerSocket } from './docker-socket.js';

const PACKAGES: readonly { pkg: string; binary: string }[] = [
  { pkg: 'podman', binary: '/usr/bin/podman' },
  { pkg: 'docker.io', binary: '/usr/sbin/dockerd' },
  // containerd's CRI plugin is the CRI bench's peer; it needs the CNI plugins for its pod networks.
  { pkg: 'containerd', binary: '/usr/bin/containerd' },
  { pkg: 'containernetworking-plugins', binary: '/usr/lib/cni/bridge' },
];

export interface Peers {
  /** Why a peer is missing, one line each. */
  notes: string[];
  stop(): Promise<void>;
}

async function installMissing(notes: string[]): Promise<void> {
  const missing = PACKAGES.filter((p) => !existsSync(p.binary)).map((p) => p.pkg);
  if (missing.length === 0) return;
  if (process.env.BENCH_INSTALL_PEERS === '0') {
    notes.push(`not installed (BENCH_INSTALL_PEERS=0): ${missing.join(', ')}`);
    return;
  }
  console.log(`bench: installing ${missing.join(', ')} (Debian packages) to compare with`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await runCommand('apt-get', ['update', '-qq'], { env, timeoutMs: 600_000 });
  const install = await runCommand(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', ...missing],
    { env, timeoutMs: 1_200_000 },
  );
  if (update.code !== 0 || install.code !== 0)
    notes.push(`apt-get install ${missing.join(' ')} failed: ${(install.stderr || update.stderr).trim()}`);
}

async function answers(socket: string): Promise<boolean> {
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  const res = await runCommand(
    'docker',
    ['-H', `unix://${socket}`, 'version', '--format', '{{.Server.Version}}'],
    {
      env,
      timeoutMs: 5_000,
    },
  ).catch(() => undefined);
  return res?.code === 0;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function startDockerd(notes: string[]): Promise<() => Promise<void>> {
  if (!existsSync('/usr/sbin/dockerd')) {
    notes.push('docker: dockerd is not installed');
    return async () => {};
  }
  const dir = await mkdtemp(join(tmpdir(), 'polis-bench-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const args = [
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'dockerd.pid')}`,
    `--host=unix://${socket}`,
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    // Its own containerd too (dockerd starts one under the exec root when given no address).
    '--containerd-namespace=polis-bench',
    '--containerd-plugins-namespace=polis-bench-plugins',
  ];
  const log: Buffer[] = [];
  const child = spawn('/usr/sbin/dockerd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => log.push(b));
  child.stderr?.on('data', (b: Buffer) => log.push(b));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited(child);
      clearTimeout(timer);
    }
    setBenchDockerSocket(undefined);
    await rm(dir, { recursive: true, force: true }).catch((err: unknown) =>
      console.error(`bench: cannot remove ${dir}: ${String(err)}`),
    );
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (existsSync(socket) && (await answers(socket))) {
      setBenchDockerSocket(socket, child.pid);
      console.log(`bench: dockerd of the bench's own on ${socket}`);
      return stop;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = Buffer.concat(log).toString().trim().split('\n').slice(-3).join(' | ');
  notes.push(`docker: the bench's dockerd did not answer within 60 s: ${tail}`);
  await stop();
  return async () => {};
}

/** Installs and starts the peers; `stop()` stops the dockerd it started. */
export async function preparePeers(): Promise<Peers> {
  const notes: string[] = [];
  await installMissing(notes);
  const stopDocker = await startDockerd(notes);
  for (const n of notes) console.log(`bench: ${n}`);
  return { notes, stop: stopDocker };
}
