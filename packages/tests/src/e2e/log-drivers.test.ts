import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';

/** Polls until `check` is true or 15 s pass (the relay writes a moment after conmon). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 150 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
}

describe('log drivers: json-file, none, syslog, refused names', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('json-file writes Docker on-disk lines that parse, and docker logs shows them', async () => {
    const id = ok(
      await d.polis([
        'run',
        '-d',
        '--log-driver',
        'json-file',
        'busybox',
        'sh',
        '-c',
        "echo out-1; echo err-1 >&2; echo 'q\"uote'",
      ]),
    );
    assert.equal(ok(await d.polis(['wait', id])), '0');
    const file = join(d.dataRoot, 'containers', id, `${id}-json.log`);
    const rows = (): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n') : []);
    await until(() => rows().length >= 3);
    const parsed = rows().map((r) => JSON.parse(r) as { log: string; stream: string; time: string });
    assert.deepEqual(parsed.map((p) => [p.stream, p.log]).sort(), [
      ['stderr', 'err-1\n'],
      ['stdout', 'out-1\n'],
      ['stdout', 'q"uote\n'],
    ]);
    for (const p of parsed) {
      assert.deepEqual(Object.keys(p), ['log', 'stream', 'time']);
      assert.ok(!Number.isNaN(Date.parse(p.time)), p.time);
    }
    const logs = await d.polis(['logs', id]);
    assert.equal(logs.code, 0);
    assert.equal(logs.stdout, 'out-1\nq"uote\n');
    assert.equal(logs.stderr, 'err-1\n');
    const inspect = JSON.parse(ok(await d.polis(['inspect', id]))) as {
      HostConfig: { LogConfig: unknown };
    }[];
    assert.deepEqual(inspect[0]!.HostConfig.LogConfig, { Type: 'json-file', Config: {} });
  });

  it('json-file is bounded by max-size × max-file', async () => {
    const id = ok(
      await d.polis([
        'run',
        '-d',
        '--log-driver',
        'json-file',
        '--log-opt',
        'max-size=4k',
        '--log-opt',
        'max-file=2',
        'busybox',
        'sh',
        '-c',
        'i=0; while [ $i -lt 400 ]; do echo "line $i ................................"; i=$((i+1)); done',
      ]),
    );
    assert.equal(ok(await d.polis(['wait', id])), '0');
    const dir = join(d.dataRoot, 'containers', id);
    const file = join(dir, `${id}-json.log`);
    await until(() => existsSync(file) && readFileSync(file, 'utf8').includes('line 399 '));
    const files = readdirSync(dir).filter((f) => f.startsWith(`${id}-json.log`));
    assert.deepEqual(files.sort(), [`${id}-json.log`, `${id}-json.log.1`]);
    for (const f of files) assert.ok(readFileSync(join(dir, f)).length <= 4096, `${f} within max-size`);
    const last = readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)!;
    assert.match((JSON.parse(last) as { log: string }).log, /^line 399 /);
  });

  it('none keeps no log, and docker logs says the driver does not support reading', async () => {
    const id = ok(await d.polis(['run', '-d', '--log-driver', 'none', 'busybox', 'echo', 'gone']));
    assert.equal(ok(await d.polis(['wait', id])), '0');
    const logs = await d.polis(['logs', id]);
    assert.notEqual(logs.code, 0);
    assert.match(logs.stderr, /configured logging driver does not support reading/);
    const dir = join(d.dataRoot, 'containers', id);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.log')),
      [],
    );
  });

  it('syslog sends each line to the receiver with the tag', async () => {
    const server = createSocket('udp4');
    const got: string[] = [];
    server.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
    try {
      const port = server.address().port;
      const id = ok(
        await d.polis([
          'run',
          '-d',
          '--log-driver',
          'syslog',
          '--log-opt',
          `syslog-address=udp://127.0.0.1:${port}`,
          '--log-opt',
          'tag=shop-web',
          'busybox',
          'sh',
          '-c',
          'echo to-syslog; echo bad-news >&2',
        ]),
      );
      assert.equal(ok(await d.polis(['wait', id])), '0');
      await until(() => got.length >= 2);
      const out = got.find((g) => g.endsWith('to-syslog'));
      const err = got.find((g) => g.endsWith('bad-news'));
      // RFC 3164 as Docker's driver sends it: <PRI>TIME HOST TAG[PID]: MSG; daemon.info, daemon.err.
      assert.match(
        out ?? '',
        /^<30>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ shop-web\[\d+\]: to-syslog$/,
        got.join('|'),
      );
      assert.match(err ?? '', /^<27>\S+ \S+ shop-web\[\d+\]: bad-news$/, got.join('|'));
      // The local copy still answers docker logs.
      assert.equal(ok(await d.polis(['logs', id])), 'to-syslog');
    } finally {
      server.close();
    }
  });

  it('a bad driver or one the host lacks is a 400 at create, and nothing is created', async () => {
    const before = ok(await d.polis(['ps', '-aq'])).split('\n').length;
    const bad = await d.polis(['create', '--log-driver', 'nosuch', 'busybox', 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /logging driver "nosuch" is not supported/);
    const res = await fetchStatus(d, { Image: 'busybox', HostConfig: { LogConfig: { Type: 'nosuch' } } });
    assert.equal(res, 400);
    const noAddress = await d.polis(['create', '--log-driver', 'syslog', 'busybox', 'true']);
    assert.match(noAddress.stderr, /syslog needs --log-opt syslog-address/);
    if (!existsSync('/run/systemd/journal/socket')) {
      const journald = await d.polis(['create', '--log-driver', 'journald', 'busybox', 'true']);
      assert.match(journald.stderr, /journald needs systemd-journald/);
    }
    assert.equal(ok(await d.polis(['ps', '-aq'])).split('\n').length, before);
  });
});

async function fetchStatus(d: TestDaemon, body: unknown): Promise<number> {
  try {
    await d.client.containers.create(body as never);
    return 201;
  } catch (e) {
    return (e as { context?: { status?: number } }).context?.status ?? -1;
  }
}

describe('json-file after a polisd restart', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('resumes the relay where it stopped: lines written while polisd was down arrive, none twice', async () => {
    const gate = join(d.root, 'gate');
    ok(await d.shell(`mkdir -p ${gate}`));
    const id = ok(
      await d.polis([
        'run',
        '-d',
        '--log-driver',
        'json-file',
        '-v',
        `${gate}:/gate`,
        'busybox',
        'sh',
        '-c',
        'echo one; while [ ! -f /gate/a ]; do sleep 0.1; done; echo two; while [ ! -f /gate/b ]; do sleep 0.1; done; echo three',
      ]),
    );
    const file = join(d.dataRoot, 'containers', id, `${id}-json.log`);
    // Complete lines only: the file may be empty, or its last line half written, when it is read.
    const logs = (): string[] =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .slice(0, -1)
            .map((r) => (JSON.parse(r) as { log: string }).log)
        : [];
    await until(() => logs().length >= 1);
    await d.stopProcess();
    ok(await d.shell(`touch ${gate}/a`)); // "two" is written while polisd is down
    await new Promise((r) => setTimeout(r, 500));
    await d.startProcess();
    ok(await d.shell(`touch ${gate}/b`));
    assert.equal(ok(await d.polis(['wait', id])), '0');
    await until(() => logs().length >= 3);
    assert.deepEqual(logs(), ['one\n', 'two\n', 'three\n']);
    // Docker's own client reads them through the API too.
    const docker = await d.docker(['logs', id]);
    assert.equal(docker.code, 0, docker.stderr);
    assert.equal(docker.stdout, 'one\ntwo\nthree\n');
  });
});
