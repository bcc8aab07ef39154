import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PolisError } from '@polis/core';
import { mountsUnder, TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import type { CommandResult } from '../harness/run.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ROUNDS = 6;

/**
 * `docker rm -f` against a verb already under way on the same container (the real docker CLI):
 * the removal always wins, the other verb either finished before it or gets Docker's conflict,
 * and nothing ever brings the container back.
 */
describe('rm -f racing other lifecycle verbs', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  /** The container is gone for good: not listed, no record, no directory, no rootfs mount. */
  async function assertGone(name: string, id: string, what: string): Promise<void> {
    // Long enough for a restart (by the verb or by a policy) to have brought it back.
    await sleep(400);
    const res = await d.docker(['inspect', '-f', '{{.State.Status}}', name]);
    assert.notEqual(res.code, 0, `${what}: ${name} survived as ${res.stdout.trim()}`);
    assert.match(res.stderr, /No such/, what);
    const listed = ok(await d.docker(['ps', '-aq', '--no-trunc']));
    assert.ok(!listed.includes(id), `${what}: ps -a still lists ${id}`);
    const dirs = join(d.dataRoot, 'containers');
    assert.ok(!(existsSync(dirs) && readdirSync(dirs).includes(id)), `${what}: ${id}'s directory is left`);
    assert.deepEqual(
      mountsUnder(d.dataRoot).filter((m) => m.includes(id)),
      [],
      `${what}: rootfs mount left`,
    );
  }

  /** A sleeper that ignores SIGTERM (pid 1 without a handler), so a stop waits for its timeout. */
  async function sleeper(name: string, ...flags: string[]): Promise<string> {
    return ok(await d.docker(['run', '-d', '--name', name, ...flags, 'busybox', 'sleep', '300']), 'run');
  }

  /** Starts `verb`, and `rm -f` `delayMs` later; returns both results. */
  async function race(
    verb: string[],
    name: string,
    delayMs: number,
  ): Promise<{ other: CommandResult; rm: CommandResult }> {
    const other = d.docker(verb);
    await sleep(delayMs);
    const rm = await d.docker(['rm', '-f', name]);
    return { other: await other, rm };
  }

  it(`restart -t 1, then rm -f 300 ms later: rm wins every time (${ROUNDS} rounds)`, async () => {
    let refused = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const name = `rr${i}`;
      const id = await sleeper(name);
      const { other, rm } = await race(['restart', '-t', '1', name], name, 300);
      const what = `round ${i}`;
      assert.equal(rm.code, 0, `${what}: rm -f exited ${rm.code}: ${rm.stderr}`);
      // The restart finished before the removal, or it was refused with Docker's words.
      if (other.code !== 0) {
        assert.match(
          other.stderr,
          /Cannot restart container .*: container is marked for removal and cannot be started|No such container/,
          what,
        );
        if (/marked for removal/.test(other.stderr)) refused++;
      }
      await assertGone(name, id, what);
    }
    // The restart is still stopping (1 s) when the removal comes: at least some must be refused as Docker does.
    assert.ok(refused > 0, 'no restart was refused for the removal');
  });

  it('through the API: the restart that loses is a 409 with code removal_in_progress', async () => {
    const name = 'rr-api';
    const id = await sleeper(name);
    const restart = d.client.containers.restart(name, { t: 1 }).then(
      () => undefined,
      (err: PolisError) => err,
    );
    await sleep(300);
    await d.client.containers.remove(name, { force: true });
    const refused = await restart;
    // Refused for the removal (409), or the container was already gone (404); never started again.
    if (refused) {
      const status = refused.context.status;
      assert.ok(status === 409 || status === 404, `restart answered ${String(status)}: ${refused.message}`);
      if (status === 409) {
        assert.equal(refused.code, 'container.removal_in_progress');
        assert.match(refused.message, /container is marked for removal and cannot be started/);
      }
    }
    await assertGone(name, id, 'api');
  });

  it(`stop -t 1, then rm -f 300 ms later: rm wins (${ROUNDS} rounds)`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const name = `rs${i}`;
      const id = await sleeper(name);
      const { other, rm } = await race(['stop', '-t', '1', name], name, 300);
      assert.equal(rm.code, 0, `round ${i}: rm -f exited ${rm.code}: ${rm.stderr}`);
      if (other.code !== 0) assert.match(other.stderr, /No such container/, `round ${i}`);
      await assertGone(name, id, `stop round ${i}`);
    }
  });

  it(`kill and rm -f together: rm wins (${ROUNDS} rounds)`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const name = `rk${i}`;
      const id = await sleeper(name);
      const { other, rm } = await race(['kill', name], name, i * 20);
      assert.equal(rm.code, 0, `round ${i}: rm -f exited ${rm.code}: ${rm.stderr}`);
      if (other.code !== 0) assert.match(other.stderr, /is not running|No such container/, `round ${i}`);
      await assertGone(name, id, `kill round ${i}`);
    }
  });

  it(`two rm -f at once: the container goes, the second one is refused or finds it gone (${ROUNDS} rounds)`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const name = `r2${i}`;
      const id = await sleeper(name);
      const [a, b] = await Promise.all([d.docker(['rm', '-f', name]), d.docker(['rm', '-f', name])]);
      const failed = [a, b].filter((r) => r.code !== 0);
      assert.ok(failed.length < 2, `round ${i}: both failed: ${a.stderr} ${b.stderr}`);
      for (const f of failed) {
        assert.match(
          f.stderr,
          /removal of container .* is already in progress|No such container/,
          `round ${i}`,
        );
      }
      await assertGone(name, id, `double rm round ${i}`);
    }
  });

  it(`rm -f of a container restarting by its policy (always, exit 1): gone, never brought back (${ROUNDS} rounds)`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const name = `rp${i}`;
      const id = ok(
        await d.docker(['run', '-d', '--name', name, '--restart', 'always', 'busybox', 'sh', '-c', 'exit 1']),
        'run',
      );
      // Spread the removals over the back-off (100, 200, 400 ms ...) and the launches between.
      await sleep(100 + i * 130);
      const rm = await d.docker(['rm', '-f', name]);
      assert.equal(rm.code, 0, `round ${i}: rm -f exited ${rm.code}: ${rm.stderr}`);
      await assertGone(name, id, `policy round ${i}`);
    }
  });
});
