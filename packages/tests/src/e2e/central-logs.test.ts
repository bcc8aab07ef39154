import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';

/** Five lines, `P1`..`P5`, 0.3 s apart: two such containers started together interleave. */
const writer = (p: string): string => `for i in 1 2 3 4 5; do echo ${p}$i; sleep 0.3; done`;

describe('central logs: many containers merged by time', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('polis logs --all merges two containers in time order with name prefixes; --filter selects', async () => {
    ok(await d.polis(['create', '--name', 'alpha', '--label', 'grp=m', 'busybox', 'sh', '-c', writer('a')]));
    ok(await d.polis(['create', '--name', 'beta', '--label', 'grp=m', 'busybox', 'sh', '-c', writer('b')]));
    // A container whose driver keeps no log matches too: it adds nothing and breaks nothing.
    ok(
      await d.polis([
        'run',
        '--name',
        'silent',
        '--log-driver',
        'none',
        '--label',
        'grp=m',
        'busybox',
        'echo',
        'x',
      ]),
    );
    ok(await d.polis(['run', '--name', 'other', '--label', 'grp=x', 'busybox', 'echo', 'not-me']));
    ok(await d.polis(['start', 'alpha', 'beta']));
    assert.equal(ok(await d.polis(['wait', 'alpha'])), '0');
    assert.equal(ok(await d.polis(['wait', 'beta'])), '0');

    const out = ok(await d.polis(['logs', '--all', '-t', '--filter', 'label=grp=m']));
    const rows = out
      .trimEnd()
      .split('\n')
      .map((r) => {
        const m = /^(\S+)\s+\| (\S+) (.*)$/.exec(r);
        assert.ok(m, `row shaped "name | time line": ${JSON.stringify(r)}`);
        return { name: m[1]!, time: m[2]!, line: m[3]! };
      });
    assert.equal(rows.length, 10);
    assert.ok(!rows.some((r) => r.name === 'other'), 'the label filter leaves other out');
    for (const r of rows) assert.equal(r.line[0], r.name[0], 'each line carries its own container name');
    // In time order across containers, each container's own lines in its order.
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.time <= rows[i]!.time, out);
    assert.deepEqual(
      rows.filter((r) => r.name === 'alpha').map((r) => r.line),
      ['a1', 'a2', 'a3', 'a4', 'a5'],
    );
    // The merge equals each container's own log, sorted by time.
    const own = (name: string): string[] =>
      ok2(name).map((l) => `${l.slice(0, l.indexOf(' '))} ${name} ${l.slice(l.indexOf(' ') + 1)}`);
    const ok2 = (name: string): string[] => perContainer.get(name) ?? [];
    const perContainer = new Map<string, string[]>();
    for (const n of ['alpha', 'beta'])
      perContainer.set(
        n,
        ok(await d.polis(['logs', '-t', n]))
          .trimEnd()
          .split('\n'),
      );
    const expected = [...own('alpha'), ...own('beta')].sort();
    assert.deepEqual(
      rows.map((r) => `${r.time} ${r.name} ${r.line}`),
      expected,
    );
    // Written together, they interleave: a plain concatenation would not pass the checks above.
    const switches = rows.filter((r, i) => i > 0 && r.name !== rows[i - 1]!.name).length;
    assert.ok(switches >= 2, `interleaved: ${out}`);

    // --since keeps the lines from that time on, across both containers.
    const from = rows[4]!.time;
    const since = ok(await d.polis(['logs', '--all', '--since', from, '--filter', 'label=grp=m']));
    assert.deepEqual(
      since.split('\n').map((r) => r.replace(/^\S+\s+\| /, '')),
      rows.slice(4).map((r) => r.line),
    );

    // Without -t: `name | line`, names padded to one width; --tail counts per container.
    const tail = ok(await d.polis(['logs', '--all', '--tail', '1', '--filter', 'label=grp=m']));
    assert.deepEqual(tail.trimEnd().split('\n').sort(), ['alpha | a5', 'beta  | b5']);
    const byName = ok(await d.polis(['logs', '--all', '--filter', 'name=other']));
    assert.equal(byName, 'other | not-me');
  });

  it('the API answers JSON lines; project= selects a compose project; a bad filter is a 400', async () => {
    ok(
      await d.polis([
        'run',
        '--name',
        'proj-web',
        '--label',
        'com.docker.compose.project=shop',
        'busybox',
        'echo',
        'from-shop',
      ]),
    );
    const lines = [];
    for await (const l of await d.client.containers.centralLogs({ filters: { project: ['shop'] } }))
      lines.push(l);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.name, 'proj-web');
    assert.equal(lines[0]!.line, 'from-shop');
    assert.equal(lines[0]!.stream, 'stdout');
    assert.match(lines[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.match(lines[0]!.container, /^[0-9a-f]{64}$/);
    await assert.rejects(
      async () => d.client.containers.centralLogs({ filters: { ancestor: ['busybox'] } }),
      (e: Error & { context?: { status?: number } }) =>
        e.context?.status === 400 && /invalid filter 'ancestor'/.test(e.message),
    );
  });

  it('follow joins a container that starts after the request', async () => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'early',
        '--label',
        'grp=f',
        'busybox',
        'sh',
        '-c',
        'echo e1; sleep 60',
      ]),
    );
    const seen: string[] = [];
    const stream = await d.client.containers.centralLogs({ follow: true, filters: { label: ['grp=f'] } });
    for await (const l of stream) {
      seen.push(`${l.name} ${l.line}`);
      if (l.line === 'e1') {
        // Only now, with the request already following, does the second container exist at all.
        ok(
          await d.polis([
            'run',
            '-d',
            '--name',
            'late',
            '--label',
            'grp=f',
            'busybox',
            'sh',
            '-c',
            'echo l1; sleep 60',
          ]),
        );
      }
      if (l.line === 'l1') break;
    }
    assert.deepEqual(seen, ['early e1', 'late l1']);

    // The CLI's -f: the same, seen as `name | line`.
    const out = `${d.root}/follow.out`;
    const script = [
      `"$POLIS_BIN" logs --all -f --filter label=grp=f > ${out} 2>&1 &`,
      'pid=$!',
      `i=0; until grep -q l1 ${out} || [ $i -gt 150 ]; do sleep 0.1; i=$((i+1)); done`,
      `"$POLIS_BIN" run -d --name later --label grp=f busybox echo later-line >/dev/null`,
      `i=0; until grep -q later-line ${out} || [ $i -gt 150 ]; do sleep 0.1; i=$((i+1)); done`,
      'kill $pid; wait $pid 2>/dev/null',
      `cat ${out}`,
    ].join('\n');
    const followed = await d.shell(script);
    assert.deepEqual(followed.stdout.trimEnd().split('\n'), [
      'early | e1',
      'late  | l1',
      'later | later-line',
    ]);
    ok(await d.polis(['rm', '-f', 'early', 'late', 'later']));
  });
});
