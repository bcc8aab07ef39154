import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, existsSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_HELPER, SpawnHelper, type HelperResult } from './helper.js';
import { BULK_PIPE_SIZE, closePipe, pipes, unlinkAll, type PipeFds } from './pipes.js';
import { run } from './run.js';

const built = existsSync(BUILT_HELPER);
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' };
const text = (r: HelperResult): [string, string] =>
  r.kind === 'failed' || r.kind === 'started' ? ['', ''] : [r.stdout.toString(), r.stderr.toString()];

test(
  'the spawn helper runs commands as Node would',
  { skip: !built && 'polis-spawn is not built' },
  async () => {
    const helper = new SpawnHelper(BUILT_HELPER);
    const run = (
      command: string,
      args: string[],
      more: { input?: string; cwd?: string; maxStdout?: number } = {},
    ) => helper.run({ command, args, env, maxStdout: 64 << 20, ...more });

    // Output, input, stderr, exit codes, PATH lookup in the given environment.
    const echo = await run('echo', ['hello', 'a b']);
    assert.deepEqual([echo.kind, ...text(echo)], ['exited', 'hello a b\n', '']);
    assert.deepEqual(text(await run('cat', [], { input: 'from stdin\n' })), ['from stdin\n', '']);
    // Without input, stdin is /dev/null: cat ends at once.
    assert.deepEqual(text(await run('cat', [])), ['', '']);
    const failing = await run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(failing.kind, 'exited');
    assert.equal(failing.kind === 'exited' && failing.code, 3);
    assert.deepEqual(text(failing), ['out\n', 'err\n']);
    const killed = await run('sh', ['-c', 'kill -TERM $$']);
    assert.equal(killed.kind === 'signaled' && killed.signal, 'SIGTERM');
    // The helper ignores SIGPIPE and SIGINT; its commands get them back (`yes` would complain of EPIPE).
    const piped = await run('sh', ['-c', 'yes | head -c 1 >/dev/null']);
    assert.deepEqual([piped.kind, ...text(piped)], ['exited', '', '']);
    const interrupted = await run('sh', ['-c', 'kill -INT $$; echo survived']);
    assert.equal(interrupted.kind === 'signaled' && interrupted.signal, 'SIGINT');
    assert.deepEqual(text(await run('sh', ['-c', 'echo "$LANG $HOME"'])), ['C \n', '']);

    const dir = await mkdtemp(join(tmpdir(), 'polis-spawn-'));
    try {
      assert.deepEqual(text(await run('pwd', [], { cwd: dir })), [`${dir}\n`, '']);
      // Not started: ENOENT for a missing command or cwd, EACCES for a file that is not executable.
      assert.deepEqual(await run('polis-no-such-command', []), { kind: 'failed', errno: 'ENOENT' });
      assert.deepEqual(await run('true', [], { cwd: join(dir, 'missing') }), {
        kind: 'failed',
        errno: 'ENOENT',
      });
      await writeFile(join(dir, 'plain'), 'echo no\n');
      assert.deepEqual(await run(join(dir, 'plain'), []), { kind: 'failed', errno: 'EACCES' });
      await chmod(join(dir, 'plain'), 0o755);
      assert.deepEqual(text(await run(join(dir, 'plain'), [])), ['no\n', '']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // Large output in and out; stdout past the cap is dropped, the command still runs to its end.
    const big = 'x'.repeat(3 << 20);
    const copied = await run('cat', [], { input: big });
    assert.equal(text(copied)[0].length, big.length);
    const capped = await run('sh', ['-c', 'head -c 1000000 /dev/zero; echo done >&2'], { maxStdout: 1000 });
    assert.deepEqual([text(capped)[0].length, text(capped)[1]], [1000, 'done\n']);

    // Many at once, each answered with its own output whatever the order they end in.
    const many = await Promise.all(
      Array.from({ length: 30 }, (_, i) => run('sh', ['-c', `sleep 0.0${i % 5}; echo ${i}`])),
    );
    assert.deepEqual(
      many.map((r) => text(r)[0].trim()),
      Array.from({ length: 30 }, (_, i) => String(i)),
    );

    // A helper that dies fails what it was running, and the next command starts a new one.
    const pid = helper.pid!;
    const cut = run('sleep', ['5']);
    process.kill(pid, 'SIGKILL');
    await assert.rejects(cut, /spawn helper exited/);
    assert.deepEqual(text(await run('echo', ['again'])), ['again\n', '']);
    assert.notEqual(helper.pid, pid);
    assert.equal(helper.usable, true);
  },
);

test('a helper that cannot run is given up after a few tries', async () => {
  const helper = new SpawnHelper('/nonexistent/polis-spawn');
  for (let i = 0; i < 4; i++) {
    await assert.rejects(
      helper.run({ command: 'true', args: [], env, maxStdout: 1 }),
      /spawn helper could not run/,
    );
  }
  assert.equal(helper.usable, false);
});

test(
  "the helper's own mount and umount: one system call each, errors as mount(8)'s status 32",
  { skip: (!built || process.getuid?.() !== 0) && 'needs root and polis-spawn' },
  async () => {
    const helper = new SpawnHelper(BUILT_HELPER);
    const run = (args: string[], cwd?: string) =>
      helper.run({
        command: args[0]!,
        args: args.slice(1),
        env,
        maxStdout: 1 << 20,
        ...(cwd ? { cwd } : {}),
      });
    const dir = await mkdtemp(join(tmpdir(), 'polis-spawn-mount-'));
    const mounted = async (p: string) =>
      (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').some((l) => l.split(' ')[4] === p);
    try {
      // Overlay with lowerdirs relative to the request's cwd, as the rootfs is mounted.
      for (const d of ['lower', 'upper', 'work', 'merged']) await mkdir(join(dir, d));
      await writeFile(join(dir, 'lower', 'from-lower'), 'x');
      const opts = `lowerdir=lower,upperdir=${dir}/upper,workdir=${dir}/work`;
      const ok = await run(['polis-spawn:mount', 'overlay', join(dir, 'merged'), 'overlay', opts], dir);
      assert.deepEqual([ok.kind, ...text(ok)], ['exited', '', '']);
      assert.ok(await mounted(join(dir, 'merged')));
      assert.ok(existsSync(join(dir, 'merged', 'from-lower')));
      const off = await run(['polis-spawn:umount', join(dir, 'merged'), '0']);
      assert.equal(off.kind === 'exited' && off.code, 0);
      assert.equal(await mounted(join(dir, 'merged')), false);
      // Failures: mount's status 32 and the target with strerror.
      const missing = await run(['polis-spawn:mount', 'tmpfs', join(dir, 'nowhere'), 'tmpfs', 'size=1m']);
      assert.equal(missing.kind === 'exited' && missing.code, 32);
      assert.equal(text(missing)[1], `${join(dir, 'nowhere')}: No such file or directory\n`);
      const notMounted = await run(['polis-spawn:umount', join(dir, 'merged'), '0']);
      assert.equal(notMounted.kind === 'exited' && notMounted.code, 32);
      assert.match(text(notMounted)[1], /Invalid argument/);
      const unknown = await run(['polis-spawn:chmod', dir]);
      assert.equal(unknown.kind === 'exited' && unknown.code, 2);
    } finally {
      if (await mounted(join(dir, 'merged')))
        await helper.run({ command: 'umount', args: ['-l', join(dir, 'merged')], env, maxStdout: 1 });
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  'a started process gets its fds from FIFOs by name; the pid at once, its end later',
  { skip: !built && 'polis-spawn is not built' },
  async () => {
    const helper = new SpawnHelper(BUILT_HELPER);
    const dir = await mkdtemp(join(tmpdir(), 'polis-spawn-start-'));
    try {
      const [out, back] = (await pipes(dir, 2, { keep: true })) as [PipeFds, PipeFds];
      const started = await helper.start({
        command: 'sh',
        // Reads a line on fd 4, answers it on fd 3, as conmon's start and sync pipes go.
        args: ['-c', 'read line <&4; echo "got $line" >&3; exit 5'],
        env,
        detached: true,
        fds: [
          { fd: 3, path: out.path, mode: 'w' },
          { fd: 4, path: back.path, mode: 'r' },
        ],
      });
      assert.ok('pid' in started && started.pid > 0, JSON.stringify(started));
      closePipe({ read: back.read, write: out.write });
      unlinkAll([out.path, back.path]);
      writeSync(back.write, 'ping\n');
      closePipe({ read: -1, write: back.write });
      const answer = Buffer.alloc(64);
      const n = readSync(out.read, answer);
      assert.equal(answer.subarray(0, n).toString(), 'got ping\n');
      // A started process does not hold the event loop (polisd's server does): the test holds it.
      const hold = setInterval(() => undefined, 1000);
      try {
        assert.deepEqual(await (started as { exited: Promise<unknown> }).exited, { code: 5, signal: null });
      } finally {
        clearInterval(hold);
      }
      closePipe({ read: out.read, write: -1 });
      const missing = await helper.start({
        command: 'polis-no-such',
        args: [],
        env,
        detached: false,
        fds: [],
      });
      assert.deepEqual(missing, { kind: 'failed', errno: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test('proc.run with an input larger than a helper frame still runs (forked from Node)', async () => {
  const big = Buffer.alloc(70 << 20, 0x61);
  const counted = await run('wc', ['-c'], { input: big });
  assert.equal(counted.stdout.trim(), String(big.length));
});

test(
  'pipes(…, { size }) gives pipes that buffer that much (by the helper), others the default 64 KiB',
  { skip: !built && 'polis-spawn is not built' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polis-pipesize-'));
    /** Bytes a non-blocking writer puts into the pipe before it is full (EAGAIN). */
    const capacity = (p: PipeFds): number => {
      const writer = openSync(`/proc/self/fd/${p.write}`, constants.O_WRONLY | constants.O_NONBLOCK);
      const chunk = Buffer.alloc(4096);
      let n = 0;
      try {
        for (;;) n += writeSync(writer, chunk);
      } catch (err) {
        assert.equal((err as NodeJS.ErrnoException).code, 'EAGAIN');
      } finally {
        closeSync(writer);
      }
      return n;
    };
    try {
      const [big] = (await pipes(dir, 1, { size: BULK_PIPE_SIZE })) as [PipeFds];
      const [plain] = (await pipes(dir, 1)) as [PipeFds];
      try {
        assert.equal(capacity(big), BULK_PIPE_SIZE);
        assert.equal(capacity(plain), 64 * 1024);
      } finally {
        closePipe(big);
        closePipe(plain);
      }
      // The helper's own command names the FIFO it could not open.
      const helper = new SpawnHelper(BUILT_HELPER);
      const bad = await helper.run({
        command: 'polis-spawn:pipesize',
        args: ['1048576', join(dir, 'none')],
        env,
        maxStdout: 1,
      });
      assert.equal(bad.kind === 'exited' && bad.code, 32);
      assert.equal(text(bad)[1], `${join(dir, 'none')}: No such file or directory\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  'the helper makes FIFOs with exactly the mode asked (umask aside) and names one it cannot make',
  { skip: !built && 'polis-spawn is not built' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polis-mkfifo-'));
    const helper = new SpawnHelper(BUILT_HELPER);
    try {
      const paths = [join(dir, 'a'), join(dir, 'b')];
      const made = await helper.run({
        command: 'polis-spawn:mkfifo',
        args: ['0640', ...paths],
        env,
        maxStdout: 1,
      });
      assert.equal(made.kind === 'exited' && made.code, 0);
      for (const path of paths) {
        const st = statSync(path);
        assert.ok(st.isFIFO(), `${path} is a FIFO`);
        assert.equal(st.mode & 0o777, 0o640);
      }
      const again = await helper.run({
        command: 'polis-spawn:mkfifo',
        args: ['0600', paths[0]!],
        env,
        maxStdout: 1,
      });
      assert.equal(again.kind === 'exited' && again.code, 32);
      assert.equal(text(again)[1], `${paths[0]}: File exists\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  'a command past its timeout gets SIGTERM from the helper, as from Node; one within it is untouched',
  { skip: !built && 'polis-spawn is not built' },
  async () => {
    const helper = new SpawnHelper(BUILT_HELPER);
    const t0 = Date.now();
    const [late, quick] = await Promise.all([
      helper.run({ command: 'sleep', args: ['5'], env, maxStdout: 1, timeoutMs: 150 }),
      helper.run({
        command: 'sh',
        args: ['-c', 'sleep 0.2; echo done'],
        env,
        maxStdout: 100,
        timeoutMs: 5000,
      }),
    ]);
    assert.equal(late.kind === 'signaled' && late.signal, 'SIGTERM');
    assert.equal(quick.kind === 'exited' && quick.code, 0);
    assert.equal(text(quick)[0], 'done\n');
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    // Through proc.run: the same failure Node's spawn timeout gives.
    await assert.rejects(run('sleep', ['5'], { timeoutMs: 100 }), /killed by SIGTERM/);
  },
);
