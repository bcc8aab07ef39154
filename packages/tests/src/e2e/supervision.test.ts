import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { POLIS_BIN } from '../harness/paths.js';
import { pidAlive, waitFor } from '../harness/wait.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Now as Unix seconds with nine fraction digits, the way `--since`/`--until` take it. */
function unixNow(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}000000`;
}

/** Pids of zombie processes whose parent is `ppid` (read from the host's /proc). */
function zombieChildren(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' && Number(parent) === ppid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Restart policies, events, top, --init, stop timeouts and signals, and logs -f across restarts. */
describe('supervision', () => {
  let d: TestDaemon;
  const inspect = async (ref: string, format: string): Promise<string> =>
    ok(await d.polis(['inspect', '-f', format, ref]), `inspect ${ref}`);
  /** Actions of the container's events between two times, through `polis events`. */
  const actions = async (name: string, since: string, until: string, ...extra: string[]): Promise<string[]> =>
    lines(
      ok(
        await d.polis([
          'events',
          '--since',
          since,
          '--until',
          until,
          '--filter',
          `container=${name}`,
          ...extra,
          '--format',
          '{{.Action}}',
        ]),
      ),
    );

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('on-failure:3 restarts a failing container exactly 3 times, then it stays exited', async () => {
    const since = unixNow();
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'onfail',
        '--restart',
        'on-failure:3',
        'busybox',
        'sh',
        '-c',
        'exit 1',
      ]),
    );
    const final = await waitFor(
      'three restarts and the final exit',
      async () => {
        const s = await inspect('onfail', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}');
        return s.startsWith('3 exited') ? s : undefined;
      },
      15_000,
    );
    assert.equal(final, '3 exited 1');
    const starts = (await actions('onfail', since, unixNow(), '--filter', 'event=start')).length;
    assert.equal(starts, 4, 'the first start and three restarts');
    await sleep(1500);
    assert.equal(await inspect('onfail', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}'), final);
    assert.equal((await actions('onfail', since, unixNow(), '--filter', 'event=start')).length, 4);
    const sdkStarts: string[] = [];
    for await (const e of d.client.events({
      since,
      until: unixNow(),
      filters: { container: ['onfail'], event: ['start', 'die'] },
    })) {
      sdkStarts.push(`${e.Action}${e.Action === 'die' ? `:${e.Actor.Attributes.exitCode}` : ''}`);
    }
    assert.deepEqual(sdkStarts, ['start', 'die:1', 'start', 'die:1', 'start', 'die:1', 'start', 'die:1']);
    ok(await d.polis(['rm', 'onfail']));
  });

  it('always: a container killed while polisd was down runs again after polisd starts', async () => {
    ok(await d.polis(['run', '-d', '--name', 'always1', '--restart', 'always', 'busybox', 'sleep', '300']));
    const pid = Number(await inspect('always1', '{{.State.Pid}}'));
    assert.ok(pidAlive(pid));
    const since = unixNow();
    await d.stopProcess('SIGKILL');
    process.kill(pid, 'SIGKILL');
    await waitFor('the container process to end', () => !pidAlive(pid));
    await d.startProcess();
    const newPid = await waitFor(
      'the container to run again',
      async () => {
        const [status, p] = (await inspect('always1', '{{.State.Status}} {{.State.Pid}}')).split(' ');
        return status === 'running' && Number(p) > 0 && Number(p) !== pid ? Number(p) : undefined;
      },
      15_000,
    );
    assert.ok(pidAlive(newPid), `new pid ${newPid} alive`);
    const count = Number(await inspect('always1', '{{.RestartCount}}'));
    const starts = await actions('always1', since, unixNow(), '--filter', 'event=start');
    assert.ok(count >= 1 || starts.length >= 1, `RestartCount ${count}, start events ${starts.length}`);

    assert.equal(ok(await d.polis(['stop', '-t', '1', 'always1'])), 'always1');
    await sleep(2000);
    assert.equal(await inspect('always1', '{{.State.Status}} {{.State.Pid}}'), 'exited 0');
    assert.ok(!pidAlive(newPid));
    ok(await d.polis(['rm', 'always1']));
  });

  it('after a daemon restart, a stopped always container runs again, a stopped unless-stopped not', async () => {
    for (const [name, policy] of [
      ['al', 'always'],
      ['us', 'unless-stopped'],
    ] as const) {
      ok(await d.polis(['run', '-d', '--name', name, '--restart', policy, 'busybox', 'sleep', '300']));
    }
    assert.equal(ok(await d.polis(['stop', '-t', '1', 'al', 'us'])), 'al\nus');
    await d.stopProcess('SIGTERM');
    await d.startProcess();
    await waitFor(
      'always to run again',
      async () => (await inspect('al', '{{.State.Status}}')) === 'running',
    );
    await sleep(1000);
    assert.equal(await inspect('us', '{{.State.Status}} {{.State.Running}}'), 'exited false');
    assert.equal(await inspect('al', '{{.State.Status}} {{.State.Running}}'), 'running true');
    ok(await d.polis(['rm', '-f', 'al', 'us']));
  });

  it('update --restart no stops further restarts', async () => {
    const script = 'sleep 0.5; exit 3';
    ok(await d.polis(['run', '-d', '--name', 'upd', '--restart', 'always', 'busybox', 'sh', '-c', script]));
    await waitFor(
      'a restart',
      async () => {
        const [count, status] = (await inspect('upd', '{{.RestartCount}} {{.State.Status}}')).split(' ');
        return Number(count) >= 1 && status === 'running';
      },
      10_000,
      20,
    );
    assert.equal(ok(await d.polis(['update', '--restart', 'no', 'upd'])), 'upd');
    assert.equal(await inspect('upd', '{{.HostConfig.RestartPolicy.Name}}'), 'no');
    await waitFor(
      'the last run to end',
      async () => (await inspect('upd', '{{.State.Status}}')) === 'exited',
    );
    const count = await inspect('upd', '{{.RestartCount}}');
    await sleep(2000);
    assert.equal(
      await inspect('upd', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}'),
      `exited 3 ${count}`,
    );
    const none = await d.polis(['update', 'upd']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /you must provide one or more flags/);
    ok(await d.polis(['rm', 'upd']));
  });

  describe('docker events', () => {
    let since: string;
    let until: string;
    let id: string;

    it('shows create, start, die (with exitCode) and destroy of docker run --rm, in order', async () => {
      since = unixNow();
      const run = await d.docker(['run', '--rm', '--name', 'evrun', 'busybox', 'sh', '-c', 'exit 3']);
      assert.equal(run.code, 3, run.stderr);
      await sleep(100);
      until = unixNow();
      const out = lines(ok(await d.docker(['events', '--since', since, '--until', until])));
      const mine = out.filter((l) => l.includes('name=evrun'));
      const order = mine.map((l) => l.split(' ')[2]).filter((a) => a !== 'attach');
      assert.deepEqual(order, ['create', 'start', 'die', 'destroy'], out.join('\n'));
      for (const l of mine)
        assert.match(
          l,
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) container \w+ [0-9a-f]{64} \(/,
        );
      const die = mine.find((l) => l.split(' ')[2] === 'die') as string;
      assert.match(die, /\(exitCode=3, image=busybox, name=evrun\)$/);
      id = die.split(' ')[3] as string;
    });

    it('--filter event=die and --filter container=NAME', async () => {
      const dies = lines(
        ok(await d.docker(['events', '--since', since, '--until', until, '--filter', 'event=die'])),
      );
      assert.ok(dies.length >= 1);
      for (const l of dies) assert.match(l, / container die /);
      assert.ok(dies.some((l) => l.includes(id)));
      const named = lines(
        ok(await d.docker(['events', '--since', since, '--until', until, '--filter', 'container=evrun'])),
      );
      assert.ok(named.length >= 4, named.join('\n'));
      for (const l of named) assert.ok(l.includes(` ${id} `) && l.includes('name=evrun'), l);
      const json = lines(
        ok(
          await d.docker([
            'events',
            '--since',
            since,
            '--until',
            until,
            '--filter',
            'container=evrun',
            '--filter',
            'event=die',
            '--format',
            '{{json .}}',
          ]),
        ),
      );
      assert.equal(json.length, 1);
      const e = JSON.parse(json[0] as string) as { Type: string; Action: string; Actor: { ID: string } };
      assert.deepEqual([e.Type, e.Action, e.Actor.ID], ['container', 'die', id]);
    });

    it('polis events prints the same lines as docker events', async () => {
      const args = ['events', '--since', since, '--until', until, '--filter', 'container=evrun'];
      assert.equal(ok(await d.polis(args)), ok(await d.docker(args)));
      const fmt = ['--format', '{{.Type}} {{.Action}} {{.Actor.ID}}'];
      assert.equal(ok(await d.polis([...args, ...fmt])), ok(await d.docker([...args, ...fmt])));
    });

    it('the events survive a daemon restart', async () => {
      await d.stopProcess('SIGTERM');
      await d.startProcess();
      const later = lines(
        ok(await d.docker(['events', '--since', since, '--until', unixNow(), '--filter', 'container=evrun'])),
      );
      assert.deepEqual(
        later.map((l) => l.split(' ')[2]).filter((a) => a !== 'attach'),
        ['create', 'start', 'die', 'destroy'],
      );
      assert.deepEqual(
        (await actions('evrun', since, unixNow())).filter((a) => a !== 'attach'),
        ['create', 'start', 'die', 'destroy'],
      );
    });

    it('--since without --until shows the past events, then keeps following', async () => {
      for (const tool of ['polis', 'docker'] as const) {
        const args = ['events', '--since', since, '--filter', 'container=evrun', '--format', '{{.Action}}'];
        const child =
          tool === 'polis'
            ? spawn(POLIS_BIN, [...args], {
                env: d.env(),
                stdio: ['ignore', 'pipe', 'pipe'],
              })
            : spawn('docker', args, { env: d.env(), stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        try {
          await waitFor(`${tool}: the past destroy event`, () => out.includes('destroy'), 5000).catch(() => {
            assert.fail(`${tool} events --since ${since} (no --until) printed: ${JSON.stringify(out)}`);
          });
          assert.deepEqual(
            lines(out).filter((a) => a !== 'attach'),
            ['create', 'start', 'die', 'destroy'],
          );
          assert.equal(child.exitCode, null, `${tool} still following`);
        } finally {
          child.kill('SIGTERM');
        }
      }
    });

    it('without --until the stream stays open and shows live events', async () => {
      const child = spawn(POLIS_BIN, ['events', '--filter', 'container=live1', '--format', '{{.Action}}'], {
        env: d.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      try {
        await sleep(500);
        ok(await d.polis(['run', '--rm', '--name', 'live1', 'busybox', 'true']));
        await waitFor('the destroy event', () => out.includes('destroy'), 5000);
        assert.deepEqual(
          lines(out).filter((a) => a !== 'attach'),
          ['create', 'start', 'die', 'destroy'],
        );
        assert.equal(child.exitCode, null, 'still following');
      } finally {
        child.kill('SIGTERM');
      }
    });
  });

  it('top shows the container processes (polis and docker); top of a stopped container fails', async () => {
    ok(await d.polis(['run', '-d', '--name', 'topper', 'busybox', 'sleep', '300']));
    const pid = await inspect('topper', '{{.State.Pid}}');
    for (const tool of ['polis', 'docker'] as const) {
      const res = tool === 'polis' ? await d.polis(['top', 'topper']) : await d.docker(['top', 'topper']);
      const [header, ...rows] = lines(ok(res, `${tool} top`));
      assert.match(header as string, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
      assert.ok(
        rows.some((r) => r.endsWith('sleep 300') && r.split(/\s+/)[1] === pid),
        `${tool} top:\n${res.stdout}`,
      );
    }
    const custom = lines(ok(await d.polis(['top', 'topper', '-o', 'pid,args'])));
    assert.match(custom[0] as string, /^PID\s+COMMAND$/);
    assert.deepEqual(
      custom.slice(1).map((r) => r.split(/\s{2,}/)),
      [[pid, 'sleep 300']],
    );
    ok(await d.polis(['stop', '-t', '0', 'topper']));
    for (const tool of ['polis', 'docker'] as const) {
      const res = tool === 'polis' ? await d.polis(['top', 'topper']) : await d.docker(['top', 'topper']);
      assert.equal(res.code, 1, `${tool} top of a stopped container`);
      assert.match(res.stderr, /is not running/);
      assert.equal(res.stdout, '');
    }
    ok(await d.polis(['rm', 'topper']));
  });

  describe('--init', () => {
    it('reaps orphans: no zombies, and PID 1 is the init', async () => {
      const script = 'for i in $(seq 100); do (sleep 0.1 &) ; done; sleep 1; ps -o stat | grep -c Z || true';
      assert.equal(ok(await d.polis(['run', '--rm', '--init', 'busybox', 'sh', '-c', script])), '0');
      const ps = lines(ok(await d.polis(['run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,args'])));
      assert.match(ps.find((l) => /^\s*1 /.test(l)) ?? '', /^\s*1 \/sbin\/polis-init/);
    });

    it('without --init, orphans of an exec-ed PID 1 stay zombies; with it they are reaped', async () => {
      // The orphans are re-parented to PID 1; once `sleep` has replaced sh there, nobody reaps them.
      // (top lists the cgroup's live processes, as docker's does, so the host's /proc shows the zombies.)
      const script = '(sleep 0.1 &); (sleep 0.1 &); echo forked; exec sleep 30';
      for (const init of [false, true]) {
        const name = init ? 'reaper' : 'noreaper';
        const flags = init ? ['--init'] : [];
        ok(await d.polis(['run', '-d', '--name', name, ...flags, 'busybox', 'sh', '-c', script]));
        const pid = Number(await inspect(name, '{{.State.Pid}}'));
        await waitFor(`${name} to fork`, async () =>
          (await d.polis(['logs', name])).stdout.includes('forked'),
        );
        await sleep(800);
        if (init) assert.deepEqual(zombieChildren(pid), [], 'the init leaves no zombie');
        else assert.equal(zombieChildren(pid).length, 2, 'two zombie children of PID 1');
        const top = lines(ok(await d.polis(['top', name, '-o', 'pid,args'])));
        assert.ok(
          top.some((r) => r.endsWith('sleep 30')),
          top.join('\n'),
        );
        ok(await d.polis(['rm', '-f', name]));
      }
    });
  });

  describe('stop timeouts and signals', () => {
    const timedStop = async (name: string, args: string[]): Promise<number> => {
      const t0 = Date.now();
      assert.equal(ok(await d.polis(['stop', ...args, name])), name);
      return Date.now() - t0;
    };
    const ignoreTerm = ['busybox', 'sh', '-c', 'trap "" TERM; echo ready; sleep 300'];
    const ready = (name: string): Promise<boolean> =>
      waitFor(`${name} to be ready`, async () => (await d.polis(['logs', name])).stdout.includes('ready'));

    it('stop -t 1 of a container ignoring SIGTERM takes about a second and exits 137', async () => {
      ok(await d.polis(['run', '-d', '--name', 'noterm', ...ignoreTerm]));
      await ready('noterm');
      const ms = await timedStop('noterm', ['-t', '1']);
      assert.ok(ms >= 900 && ms < 5000, `stop took ${ms} ms`);
      assert.equal(await inspect('noterm', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
      ok(await d.polis(['rm', 'noterm']));
    });

    it('--stop-timeout 1 on create does the same with a plain stop', async () => {
      ok(await d.polis(['create', '--name', 'st1', '--stop-timeout', '1', ...ignoreTerm]));
      assert.equal(await inspect('st1', '{{.Config.StopTimeout}}'), '1');
      ok(await d.polis(['start', 'st1']));
      await ready('st1');
      const ms = await timedStop('st1', []);
      assert.ok(ms >= 900 && ms < 5000, `stop took ${ms} ms`);
      assert.equal(await inspect('st1', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
      ok(await d.polis(['rm', 'st1']));
    });

    it('--stop-signal USR1 reaches a trap that exits 0', async () => {
      const script = 'trap "exit 0" USR1; echo ready; while true; do sleep 0.1; done';
      ok(
        await d.polis([
          'run',
          '-d',
          '--name',
          'usr1',
          '--stop-signal',
          'USR1',
          'busybox',
          'sh',
          '-c',
          script,
        ]),
      );
      assert.match(await inspect('usr1', '{{.Config.StopSignal}}'), /^(SIG)?USR1$/);
      await ready('usr1');
      const ms = await timedStop('usr1', ['-t', '10']);
      assert.ok(ms < 5000, `stop took ${ms} ms`);
      assert.equal(await inspect('usr1', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 0');
      ok(await d.polis(['rm', 'usr1']));
    });
  });

  it('logs -f follows live output across a restart and ends when the container stops', async () => {
    const script = 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done';
    ok(await d.polis(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', script]));
    const child = spawn(POLIS_BIN, ['logs', '-f', 'ticker'], {
      env: d.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitFor('three lines', () => lines(out).length >= 3, 3000);
      assert.deepEqual(lines(out).slice(0, 3), ['tick 1', 'tick 2', 'tick 3']);
      assert.equal(ok(await d.polis(['restart', '-t', '1', 'ticker'])), 'ticker');
      await waitFor(
        'output from after the restart',
        () => lines(out).filter((l) => l === 'tick 2').length >= 2,
        5000,
      );
      assert.equal(child.exitCode, null, 'the follower keeps running across the restart');
      ok(await d.polis(['stop', '-t', '1', 'ticker']));
      const code = await Promise.race([exited, sleep(5000).then(() => 'running')]);
      assert.equal(code, 0, 'the follower ends with the container');
    } finally {
      child.kill('SIGKILL');
    }
    ok(await d.polis(['rm', 'ticker']));
  });
});
