import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { POLIS_BIN } from '../harness/paths.js';
import { runCommand } from '../harness/run.js';
import { waitFor } from '../harness/wait.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

const COLS = 100;
const ROWS = 30;

/**
 * A command in a real terminal: a detached tmux session of its own (private server socket) sized
 * COLS×ROWS. Keys go in with send-keys, the screen comes back with capture-pane, and the command's exit
 * status is written to a file when it ends.
 */
class Terminal {
  private static count = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'polis-pty-'));
  /** The tmux server's socket, in a folder of this test process that shutdown removes. */
  private static readonly serverDir = mkdtempSync(join(tmpdir(), 'polis-tmux-'));
  private static readonly server = join(Terminal.serverDir, 'tmux.sock');
  private readonly name = `t${++Terminal.count}`;

  private constructor() {}

  static async open(argv: string[], env: Record<string, string>): Promise<Terminal> {
    const t = new Terminal();
    const vars = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
    const command = `env ${vars.join(' ')} ${argv.map(quote).join(' ')}; echo $? > ${quote(t.codeFile)}`;
    ok(
      await t.tmux('new-session', '-d', '-s', t.name, '-x', String(COLS), '-y', String(ROWS), command),
      'tmux new-session',
    );
    return t;
  }

  private get codeFile(): string {
    return join(this.dir, 'code');
  }

  private tmux(...args: string[]) {
    return runCommand('tmux', ['-S', Terminal.server, ...args]);
  }

  async keys(...keys: string[]): Promise<void> {
    ok(await this.tmux('send-keys', '-t', this.name, ...keys), 'tmux send-keys');
  }

  /** Types a line and presses Enter. */
  async type(text: string): Promise<void> {
    await this.keys('-l', text);
    await this.keys('Enter');
  }

  /** The screen and its scrollback. */
  async screen(): Promise<string> {
    const res = await this.tmux('capture-pane', '-p', '-J', '-S', '-2000', '-t', this.name);
    return res.code === 0 ? res.stdout : '';
  }

  async waitForLine(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return waitFor(
      `a line matching ${pattern} on the terminal`,
      async () => lines(await this.screen()).find((l) => pattern.test(l.trimEnd())),
      timeoutMs,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\nscreen:\n${await this.screen()}`);
    });
  }

  async resize(cols: number, rows: number): Promise<void> {
    ok(await this.tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows)));
  }

  /** The command's exit status, once it has ended. */
  async exitCode(timeoutMs = 10_000): Promise<number> {
    const text = await waitFor(
      'the command to end',
      () => (existsSync(this.codeFile) ? readFileSync(this.codeFile, 'utf8') : undefined),
      timeoutMs,
    );
    return Number(text.trim());
  }

  async close(): Promise<void> {
    await this.tmux('kill-session', '-t', this.name);
    rmSync(this.dir, { recursive: true, force: true });
  }

  static async shutdown(): Promise<void> {
    await runCommand('tmux', ['-S', Terminal.server, 'kill-server']);
    rmSync(Terminal.serverDir, { recursive: true, force: true });
  }
}

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

describe('interactive', () => {
  let d: TestDaemon;
  let env: Record<string, string>;
  const polisArgv = (...args: string[]): string[] => [POLIS_BIN, ...args];
  const inspect = async (ref: string, format: string): Promise<string> =>
    ok(await d.polis(['inspect', '-f', format, ref]), `inspect ${ref}`);

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    env = { POLIS_HOST: d.host, DOCKER_HOST: d.host };
  });

  after(async () => {
    await Terminal.shutdown();
    await d?.cleanup();
  });

  /** A shell in a terminal: arithmetic, the terminal size (also after a resize), then `exit N`. */
  async function shellSession(argv: string[], code: number): Promise<void> {
    const t = await Terminal.open(argv, env);
    try {
      await t.waitForLine(/^\/[\w/]* #$/);
      await t.type('echo $((6*7))');
      await t.waitForLine(/^42$/);
      await t.type('stty size');
      await t.waitForLine(new RegExp(`^${ROWS} ${COLS}$`));
      await t.resize(80, 20);
      await sleep(300);
      await t.type('stty size');
      await t.waitForLine(/^20 80$/);
      await t.type(`exit ${code}`);
      assert.equal(await t.exitCode(), code, await t.screen());
    } finally {
      await t.close();
    }
  }

  describe('a shell in a terminal', () => {
    it('polis run -it --rm: input, the terminal size and SIGWINCH, the exit code; nothing left', async () => {
      await shellSession(polisArgv('run', '-it', '--rm', '--name', 'itrun', 'busybox', 'sh'), 5);
      assert.equal(ok(await d.polis(['ps', '-a', '--filter', 'name=itrun', '-q'])), '');
    });

    it('docker run -it --rm', async () => {
      await shellSession(['docker', 'run', '-it', '--rm', 'busybox', 'sh'], 6);
    });

    it('polis exec -it and docker exec -it', async () => {
      ok(await d.polis(['run', '-d', '--name', 'shellhost', 'busybox', 'sleep', '300']));
      await shellSession(polisArgv('exec', '-it', 'shellhost', 'sh'), 3);
      await shellSession(['docker', 'exec', '-it', 'shellhost', 'sh'], 4);
      ok(await d.polis(['rm', '-f', 'shellhost']));
    });

    it('run -it: ctrl-p ctrl-q detaches quietly with 0 and the container keeps running', async () => {
      const t = await Terminal.open(polisArgv('run', '-it', '--name', 'itdetach', 'busybox', 'sh'), env);
      try {
        await t.waitForLine(/^\/ #$/);
        await t.keys('C-p', 'C-q');
        assert.equal(await t.exitCode(), 0);
      } finally {
        await t.close();
      }
      assert.equal(await inspect('itdetach', '{{.State.Status}}'), 'running');
      ok(await d.polis(['rm', '-f', 'itdetach']));
    });

    it('-it without a terminal on stdin: "the input device is not a TTY", exit 1 (run and exec)', async () => {
      const run = await d.polis(['run', '-it', '--rm', 'busybox', 'true'], { input: '' });
      assert.equal(run.code, 1);
      assert.equal(run.stderr, 'the input device is not a TTY\n');
      ok(await d.polis(['run', '-d', '--name', 'notty', 'busybox', 'sleep', '300']));
      const exec = await d.polis(['exec', '-it', 'notty', 'true'], { input: '' });
      assert.equal(exec.code, 1);
      assert.equal(exec.stderr, 'the input device is not a TTY\n');
      ok(await d.polis(['rm', '-f', 'notty']));
    });
  });

  describe('piped stdin', () => {
    it('echo hi | polis run -i --rm busybox cat prints hi and exits 0; the same with docker', async () => {
      for (const res of [
        await d.polis(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'hi\n' }),
        await d.docker(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'hi\n' }),
      ]) {
        assert.equal(res.code, 0, res.stderr);
        assert.equal(res.stdout, 'hi\n');
      }
    });

    it('seq 1 100000 | polis run -i --rm busybox wc -l prints 100000', async () => {
      const res = await d.shell('seq 1 100000 | "$POLIS_BIN" run -i --rm busybox wc -l');
      assert.equal(ok(res), '100000');
    });

    it('binary input arrives unchanged (no detach-key scanning without a TTY)', async () => {
      const data = randomBytes(1 << 20);
      const dir = mkdtempSync(join(tmpdir(), 'polis-bin-'));
      try {
        writeFileSync(join(dir, 'data'), data);
        const res = await d.shell(`"$POLIS_BIN" run -i --rm busybox md5sum < ${quote(join(dir, 'data'))}`);
        assert.equal(ok(res).split(/\s+/)[0], md5(data));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('start -a passes the exit code; start -ai feeds stdin', async () => {
      ok(await d.polis(['create', '--name', 'sa', 'busybox', 'sh', '-c', 'echo x; exit 9']));
      const a = await d.polis(['start', '-a', 'sa']);
      assert.deepEqual([a.code, a.stdout], [9, 'x\n']);
      ok(await d.polis(['create', '-i', '--name', 'sai', 'busybox', 'sh', '-c', 'cat; exit 2']));
      const ai = await d.polis(['start', '-ai', 'sai'], { input: 'piped\n' });
      assert.deepEqual([ai.code, ai.stdout], [2, 'piped\n']);
      ok(await d.polis(['rm', 'sa', 'sai']));
    });
  });

  describe('exec', () => {
    before(async () => {
      ok(await d.polis(['run', '-d', '--name', 'ex', 'busybox', 'sleep', '300']));
    });

    for (const tool of ['polis', 'docker'] as const) {
      const cli = (args: string[]) => (tool === 'polis' ? d.polis(args) : d.docker(args));

      it(`${tool} exec: stdout, stderr and the exit code`, async () => {
        const res = await cli(['exec', 'ex', 'sh', '-c', 'echo out; echo err >&2; exit 4']);
        assert.deepEqual([res.code, res.stdout, res.stderr], [4, 'out\n', 'err\n']);
      });

      it(`${tool} exec -u nobody, -w /tmp, -e A=1`, async () => {
        const res = await cli([
          'exec',
          '-u',
          'nobody',
          '-w',
          '/tmp',
          '-e',
          'A=1',
          'ex',
          'sh',
          '-c',
          'id -u; pwd; echo $A',
        ]);
        assert.deepEqual(lines(ok(res)), ['65534', '/tmp', '1']);
      });

      it(`${tool} exec -d returns at once; the command runs on`, async () => {
        const file = `/tmp/${tool}-detached`;
        const go = `/tmp/${tool}-go`;
        // The command waits for a file only the test makes after exec -d has returned: an exec -d that
        // waited for its command would never return (no clock involved, so a loaded machine cannot fail it).
        const res = await cli([
          'exec',
          '-d',
          'ex',
          'sh',
          '-c',
          `while [ ! -e ${go} ]; do usleep 20000; done; touch ${file}`,
        ]);
        assert.deepEqual([res.code, res.stdout], [0, '']);
        assert.notEqual((await d.polis(['exec', 'ex', 'test', '-e', file])).code, 0, 'not yet there');
        ok(await d.polis(['exec', 'ex', 'touch', go]));
        await waitFor(
          `${file} to appear`,
          async () => (await d.polis(['exec', 'ex', 'test', '-e', file])).code === 0,
        );
      });

      it(`${tool} exec of an unknown command exits 127`, async () => {
        const res = await cli(['exec', 'ex', 'nosuchcmd']);
        assert.equal(res.code, 127, res.stderr);
        assert.match(res.stderr, /nosuchcmd/);
      });
    }

    it('exec -i feeds stdin and ends it at EOF', async () => {
      const res = await d.polis(['exec', '-i', 'ex', 'sh', '-c', 'cat; echo done'], { input: 'in\n' });
      assert.equal(ok(res), 'in\ndone');
    });

    it('exec into a stopped container: exit 1, "is not running"; into a paused one: "is paused"', async () => {
      ok(await d.polis(['create', '--name', 'exstopped', 'busybox', 'true']));
      for (const tool of ['polis', 'docker'] as const) {
        const args = ['exec', 'exstopped', 'true'];
        const res = tool === 'polis' ? await d.polis(args) : await d.docker(args);
        assert.equal(res.code, 1, `${tool}: ${res.stderr}`);
        assert.match(res.stderr, /^Error response from daemon: Container [0-9a-f]{64} is not running\n$/);
      }
      ok(await d.polis(['pause', 'ex']));
      try {
        const res = await d.polis(['exec', 'ex', 'true']);
        assert.equal(res.code, 1);
        assert.match(res.stderr, /^Error response from daemon: Container [0-9a-f]{64} is paused, unpause/);
      } finally {
        ok(await d.polis(['unpause', 'ex']));
      }
      ok(await d.polis(['rm', 'exstopped']));
    });
  });

  describe('attach', () => {
    const ticker = 'while true; do echo tick; sleep 0.2; done';

    before(async () => {
      ok(await d.polis(['run', '-d', '--name', 'a1', 'busybox', 'sh', '-c', ticker]));
    });

    for (const keys of [[], ['--detach-keys', 'ctrl-x']]) {
      const typed = keys.length === 0 ? ['C-p', 'C-q'] : ['C-x'];
      it(`polis attach${keys.map((k) => ` ${k}`).join('')} shows the output; ${typed.join(' ')} detaches with 0`, async () => {
        const t = await Terminal.open(polisArgv('attach', ...keys, 'a1'), env);
        try {
          await waitFor(
            'three ticks',
            async () => lines(await t.screen()).filter((l) => l === 'tick').length >= 3,
          );
          await t.keys(...typed);
          assert.equal(await t.exitCode(), 0);
        } finally {
          await t.close();
        }
        assert.equal(await inspect('a1', '{{.State.Status}}'), 'running');
      });
    }

    it('polis attach to a TTY container: keys reach its shell, the size is sent, ctrl-p ctrl-q detaches', async () => {
      ok(await d.polis(['run', '-dit', '--name', 'a3', 'busybox', 'sh']));
      const t = await Terminal.open(polisArgv('attach', 'a3'), env);
      try {
        await t.type('echo $((2+3))');
        await t.waitForLine(/^5$/);
        await t.type('stty size');
        await t.waitForLine(new RegExp(`^${ROWS} ${COLS}$`));
        await t.keys('C-p', 'C-q');
        assert.equal(await t.exitCode(), 0);
      } finally {
        await t.close();
      }
      assert.equal(await inspect('a3', '{{.State.Status}}'), 'running');
      ok(await d.polis(['rm', '-f', 'a3']));
    });

    it('docker attach shows the output too', async () => {
      const child = spawn('docker', ['attach', '--sig-proxy=false', 'a1'], {
        env: d.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      try {
        await waitFor(
          'three ticks from docker attach',
          () => lines(out).filter((l) => l === 'tick').length >= 3,
        );
      } finally {
        child.kill('SIGKILL');
      }
      assert.equal(await inspect('a1', '{{.State.Status}}'), 'running');
    });

    it('an attach ends with the exit code of the container when it exits', async () => {
      ok(await d.polis(['run', '-d', '--name', 'a2', 'busybox', 'sh', '-c', 'sleep 1; echo bye; exit 7']));
      const res = await d.polis(['attach', 'a2']);
      assert.deepEqual([res.code, res.stdout], [7, 'bye\n'], res.stderr);
    });

    it('attach to a stopped container fails with docker wording and 1', async () => {
      const res = await d.polis(['attach', 'a2']);
      assert.equal(res.code, 1);
      assert.equal(res.stderr, 'You cannot attach to a stopped container, start it first\n');
      ok(await d.polis(['rm', 'a2']));
    });
  });

  it('output written before the attach is not lost (10 runs)', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await d.polis(['run', '--rm', 'busybox', 'sh', '-c', 'echo first; echo second']);
      assert.deepEqual([res.code, res.stdout], [0, 'first\nsecond\n'], `run ${i}: ${res.stderr}`);
    }
  });
});
