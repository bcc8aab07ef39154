import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { postJson, rawRequest } from '../harness/http.js';

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** About 3.9 MB of labels: 30,000 of 130 bytes. */
function bigLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (let i = 0; i < 30_000; i++)
    labels[`com.example.label-${String(i).padStart(6, '0')}`] = 'v'.repeat(100);
  return labels;
}

/** 150,000 environment entries (about 2.5 MB). */
function bigEnv(): string[] {
  return Array.from({ length: 150_000 }, (_, i) => `V${i}=${i}`);
}

/**
 * Records are as large as the API accepts, yet idle work and other containers' verbs must not grow
 * with what is stored: no periodic task may read (or copy) every record.
 */
describe('large accepted configs leave the daemon idle and quick', () => {
  let d: TestDaemon;
  const runRm = async (): Promise<number> => {
    const t0 = Date.now();
    assert.equal(ok(await d.polis(['run', '--rm', 'busybox', 'echo', 'hi'])), 'hi');
    return (Date.now() - t0) / 1000;
  };
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('four never-started containers of ~3.9 MB each: idle CPU near zero, run --rm as fast as without them', async (t) => {
    await runRm(); // warm caches
    const baseline = median([await runRm(), await runRm(), await runRm()]);

    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const body =
        i < 3
          ? { Image: 'busybox', Cmd: ['true'], Labels: bigLabels() }
          : { Image: 'busybox', Cmd: ['true'], Env: bigEnv() };
      const res = await postJson(d.socket, `/containers/create?name=big${i}`, body);
      assert.equal(res.status, 201, res.text);
      ids.push((res.json as { Id: string }).Id);
    }
    await sleep(1000); // let the creates settle

    const pid = d.child?.pid;
    assert.ok(pid, 'polisd runs');
    const before = cpuSeconds(pid);
    await sleep(5000);
    const idle = cpuSeconds(pid) - before;
    assert.ok(idle < 0.25, `polisd used ${idle.toFixed(2)} s of CPU in 5 s of idleness`);

    const t0 = Date.now();
    const ping = await rawRequest(d.socket, 'GET', '/_ping');
    assert.equal(ping.status, 200);
    const pingSeconds = (Date.now() - t0) / 1000;
    assert.ok(pingSeconds < 0.5, `_ping took ${pingSeconds} s`);

    const loaded = median([await runRm(), await runRm(), await runRm()]);
    t.diagnostic(
      `idle CPU ${idle.toFixed(2)} s in 5 s; _ping ${pingSeconds} s; run --rm ${loaded} s (${baseline} s without)`,
    );
    assert.ok(
      loaded < 3 * baseline + 1,
      `run --rm took ${loaded.toFixed(2)} s with the big containers, ${baseline.toFixed(2)} s without`,
    );

    for (const id of ids) ok(await d.polis(['rm', id]));
  });
});
