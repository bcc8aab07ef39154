import { runCommand } from './run.js';

/** Loop devices (`/dev/loopN`) whose backing file lies under `prefix` (size-limited volumes' images). */
export async function loopsUnder(prefix: string): Promise<string[]> {
  const res = await runCommand('losetup', ['--json', '--list']);
  if (res.code !== 0 || !res.stdout.trim()) return [];
  const parsed = JSON.parse(res.stdout) as { loopdevices?: { name: string; 'back-file'?: string | null }[] };
  return (parsed.loopdevices ?? [])
    .filter((d) => (d['back-file'] ?? '').replace(/ \(deleted\)$/, '').startsWith(`${prefix}/`))
    .map((d) => d.name);
}

/** Detaches them, for a teardown after a failed test (a busy device is detached when its last user goes). */
export async function detachLoopsUnder(prefix: string): Promise<void> {
  for (const device of await loopsUnder(prefix)) await runCommand('losetup', ['--detach', device]);
}
