import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { rawRequest } from '../harness/http.js';

interface Trace {
  id: string;
  done: boolean;
  totalMs: number;
  stages: { stage: string; at: number; ms: number }[];
}

/**
 * Run side by side with the stages around them, so they may end before or after those. A container on
 * a Polis network gets a netns of its own beside the rootfs mount, before create; its links are made
 * while the runtime creates it. After the `--rm` answer, its cleanup's steps run side by side too.
 */
const PARALLEL_STAGES = [
  'rootfs mount',
  'etc files',
  'network attach',
  'cleanup: runtime delete',
  'cleanup: network detach',
  'cleanup: rootfs unmount',
];

/** The stages every plain `run --rm` goes through, in the order the trace must show them. */
const RUN_STAGES = [
  'request parse',
  'image resolve',
  'create: record insert',
  'bundle directory',
  'conmon spawn',
  'config serialise',
  'config write',
  'runtime create (via conmon)',
  'runtime start',
  'running (until the exit was seen)',
  'exit: record retired, volumes released',
  'exit: wake waiters (removed)',
  'cleanup: directories, endpoints, volumes',
];

describe('GET /polis/v1/debug/trace', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('lists the stages of a real run --rm, each with its milliseconds, newest run first', async (t) => {
    ok(await d.polis(['run', '--rm', 'busybox', 'true']));
    const id = ok(await d.polis(['run', '-d', 'busybox', 'sleep', '300']));
    // The --rm run was answered removed before its cleanup: its trace closes when that is done.
    await d.cleanupsSettled();
    const res = await rawRequest(d.socket, 'GET', '/polis/v1/debug/trace?limit=5');
    assert.equal(res.status, 200, res.text);
    const runs = (res.json as { runs: Trace[] }).runs;
    assert.equal(runs.length, 2, res.text);
    // The running container's run is still open and comes first; the finished --rm run is closed.
    assert.equal(runs[0]!.id, id);
    assert.equal(runs[0]!.done, false);
    assert.ok(
      runs[0]!.stages.some((s) => s.stage === 'runtime start'),
      res.text,
    );
    assert.ok(!runs[0]!.stages.some((s) => s.stage.startsWith('exit:')), res.text);
    const done = runs[1]!;
    assert.equal(done.done, true);
    const names = done.stages.map((s) => s.stage);
    const order = RUN_STAGES.map((stage) => names.indexOf(stage));
    for (const stage of PARALLEL_STAGES)
      assert.ok(names.includes(stage), `missing ${stage}: ${names.join(', ')}`);
    assert.ok(
      !order.includes(-1),
      `missing stages: ${RUN_STAGES.filter((s) => !names.includes(s)).join(', ')}`,
    );
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `stages out of order: ${names.join(', ')}`,
    );
    const stage = (name: string) => done.stages.find((s) => s.stage === name)!;
    const wired = stage('network attach');
    const created = stage('runtime create (via conmon)');
    if (process.env.POLIS_OWN_NETNS !== '0') {
      // In a netns of its own, made before the runtime creates the container in it; its links are
      // done before the container starts.
      const made = stage('netns made');
      assert.ok(made.at + made.ms <= created.at + 0.02, res.text);
      assert.ok(wired.at + wired.ms <= stage('runtime start').at + 0.02, res.text);
    } else {
      // Wired by pid: into the created container's netns, before it starts.
      assert.ok(wired.at >= created.at + created.ms - 0.02, res.text);
      assert.ok(wired.at + wired.ms <= stage('runtime start').at + 0.02, res.text);
    }
    for (const s of done.stages) {
      assert.ok(Number.isFinite(s.ms) && s.ms >= 0 && s.at >= 0, JSON.stringify(s));
      assert.ok(
        s.at + s.ms <= done.totalMs + 0.02, // each figure rounded to 0.01 ms
        `${s.stage} ends after the run: ${JSON.stringify(done)}`,
      );
    }
    for (const s of done.stages) t.diagnostic(`${s.stage}: ${s.ms} ms`);
    ok(await d.polis(['rm', '-f', id]));
  });

  it('a bad limit is a 400', async () => {
    const res = await rawRequest(d.socket, 'GET', '/polis/v1/debug/trace?limit=x');
    assert.equal(res.status, 400, res.text);
  });
});
