import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageRunConfig } from '@polis/core';
import { parseDockerfile } from './dockerfile/parse.js';
import type { Instruction } from './dockerfile/types.js';
import { goDuration, nopCreatedBy, runCreatedBy } from './history.js';
import { applyMetadata } from './metadata.js';

const one = (line: string): Instruction => {
  const ins = parseDockerfile(`FROM busybox\n${line}`).stages[0]?.instructions[0];
  assert.ok(ins);
  return ins;
};
const apply = (line: string, config: ImageRunConfig = {}, vars = new Map<string, string>()) =>
  applyMetadata(one(line), config, vars, '\\', new Set());

test('config fields as Docker sets them', () => {
  assert.deepEqual(apply('ENV A=1 B="two words" C=${X:-dflt}').config.Env, ['A=1', 'B=two words', 'C=dflt']);
  assert.deepEqual(apply('ENV LEGACY some value', { Env: ['LEGACY=old', 'K=v'] }).config.Env, [
    'K=v',
    'LEGACY=some value',
  ]);
  assert.deepEqual(apply('LABEL "a b"=c d=\'e f\'').config.Labels, { 'a b': 'c', d: 'e f' });
  assert.deepEqual(apply('EXPOSE 80 53/udp 8000-8002/tcp').config.ExposedPorts, {
    '80/tcp': {},
    '53/udp': {},
    '8000/tcp': {},
    '8001/tcp': {},
    '8002/tcp': {},
  });
  assert.deepEqual(apply('CMD echo $HOME').config.Cmd, ['/bin/sh', '-c', 'echo $HOME']);
  assert.deepEqual(apply('CMD ["a", "b"]').config.Cmd, ['a', 'b']);
  assert.deepEqual(apply('ENTRYPOINT run', { Shell: ['/bin/bash', '-ec'] }).config.Entrypoint, [
    '/bin/bash',
    '-ec',
    'run',
  ]);
  assert.deepEqual(apply('VOLUME /data $D', {}, new Map([['D', '/logs']])).config.Volumes, {
    '/data': {},
    '/logs': {},
  });
  assert.equal(
    apply(
      'USER ${U}:${G}',
      {},
      new Map([
        ['U', 'app'],
        ['G', 'staff'],
      ]),
    ).config.User,
    'app:staff',
  );
  assert.equal(apply('STOPSIGNAL SIGINT').config.StopSignal, 'SIGINT');
  assert.deepEqual(apply('SHELL ["/bin/ash", "-c"]').config.Shell, ['/bin/ash', '-c']);
  assert.deepEqual(apply('ONBUILD RUN make', { OnBuild: ['COPY . /src'] }).config.OnBuild, [
    'COPY . /src',
    'RUN make',
  ]);
  assert.deepEqual(
    apply('HEALTHCHECK --interval=30s --retries=5 CMD ["wget", "-q", "x"]').config.Healthcheck,
    {
      Test: ['CMD', 'wget', '-q', 'x'],
      Interval: 30e9,
      Retries: 5,
    },
  );
  assert.deepEqual(apply('HEALTHCHECK NONE').config.Healthcheck, { Test: ['NONE'] });
  assert.throws(() => apply('EXPOSE 80/xyz'), /invalid containerPort/);
  // The input config is not changed in place (a cache miss must not leak into the parent's).
  const parent: ImageRunConfig = { Env: ['A=1'] };
  apply('ENV B=2', parent);
  assert.deepEqual(parent.Env, ['A=1']);
});

test("history's CREATED BY reads like the classic builder's", () => {
  const sh = ['/bin/sh', '-c'];
  assert.equal(nopCreatedBy(sh, apply('CMD ["./app.sh"]').text), '/bin/sh -c #(nop)  CMD ["./app.sh"]');
  assert.equal(nopCreatedBy(sh, 'WORKDIR /app'), '/bin/sh -c #(nop) WORKDIR /app');
  assert.equal(nopCreatedBy(sh, apply('ENV A=1').text), '/bin/sh -c #(nop)  ENV A=1');
  assert.equal(nopCreatedBy(sh, apply('EXPOSE 80/tcp').text), '/bin/sh -c #(nop)  EXPOSE 80/tcp');
  assert.equal(runCreatedBy(sh, { shell: 'make' }, []), '/bin/sh -c make');
  assert.equal(runCreatedBy(sh, { shell: 'make' }, ['V=2']), '|1 V=2 /bin/sh -c make');
  assert.equal(runCreatedBy(sh, { exec: ['make', 'all'] }, []), 'make all');
  assert.equal(goDuration(90e9), '1m30s');
  assert.equal(goDuration(5e9), '5s');
  assert.equal(goDuration(0), '0s');
});
