import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import { applyChanges } from './changes.js';

test('CMD and ENTRYPOINT take exec or shell form', () => {
  assert.deepEqual(applyChanges({}, ['CMD ["sh", "-c", "echo hi"]']).Cmd, ['sh', '-c', 'echo hi']);
  assert.deepEqual(applyChanges({}, ['CMD echo "hi there"']).Cmd, ['/bin/sh', '-c', 'echo "hi there"']);
  assert.deepEqual(applyChanges({}, ['entrypoint ["/bin/app"]']).Entrypoint, ['/bin/app']);
  assert.deepEqual(applyChanges({}, ['ENTRYPOINT [not json']).Entrypoint, ['/bin/sh', '-c', '[not json']);
});

test('ENTRYPOINT drops an inherited CMD but keeps one set alongside it', () => {
  assert.equal(applyChanges({ Cmd: ['old'] }, ['ENTRYPOINT ["/e"]']).Cmd, null);
  assert.deepEqual(applyChanges({}, ['CMD ["x"]', 'ENTRYPOINT ["/e"]']).Cmd, ['x']);
});

test('ENV and LABEL take pairs with quotes, or the legacy single form', () => {
  const c = applyChanges({ Env: ['PATH=/bin', 'A=old'] }, [
    'ENV A=1 B="two words" C=x\\ y',
    'ENV LEGACY some value',
    'LABEL a=b "c d"=\'e f\'',
    'LABEL single value here',
  ]);
  assert.deepEqual(c.Env, ['PATH=/bin', 'A=1', 'B=two words', 'C=x y', 'LEGACY=some value']);
  assert.deepEqual(c.Labels, { a: 'b', 'c d': 'e f', single: 'value here' });
  assert.throws(
    () => applyChanges({}, ['ENV =x']),
    (err) => isPolisError(err, 'image.change_invalid'),
  );
  assert.throws(
    () => applyChanges({}, ['ENV']),
    (err) => isPolisError(err, 'image.change_invalid'),
  );
});

test('WORKDIR, USER, EXPOSE, STOPSIGNAL, VOLUME', () => {
  const c = applyChanges({}, [
    'WORKDIR /srv',
    'WORKDIR app/../data',
    'USER nobody:nogroup',
    'EXPOSE 80 53/udp 8000-8002/TCP',
    'STOPSIGNAL SIGTERM',
    'VOLUME ["/data", "/logs"]',
    'VOLUME /cache',
  ]);
  assert.equal(c.WorkingDir, '/srv/data');
  assert.equal(c.User, 'nobody:nogroup');
  assert.deepEqual(Object.keys(c.ExposedPorts ?? {}), [
    '80/tcp',
    '53/udp',
    '8000/tcp',
    '8001/tcp',
    '8002/tcp',
  ]);
  assert.equal(c.StopSignal, 'SIGTERM');
  assert.deepEqual(c.Volumes, { '/data': {}, '/logs': {}, '/cache': {} });
});

test('unknown or malformed changes fail with image.change_invalid', () => {
  for (const change of ['RUN make', 'FROM x', 'EXPOSE 70000', 'EXPOSE http', 'STOPSIGNAL', 'WORKDIR', '!!']) {
    assert.throws(
      () => applyChanges({}, [change]),
      (err) => isPolisError(err, 'image.change_invalid'),
      change,
    );
  }
  assert.deepEqual(applyChanges({ User: 'x' }, ['', '  ']), { User: 'x' });
});

test('the base config is not modified', () => {
  const base = { Env: ['A=1'] };
  applyChanges(base, ['ENV A=2']);
  assert.deepEqual(base, { Env: ['A=1'] });
});

test('ONBUILD keeps the instruction for later builds; ONBUILD ONBUILD and FROM are refused', () => {
  const c = applyChanges({}, ['ONBUILD RUN make', 'onbuild COPY . /src']);
  assert.deepEqual(c.OnBuild, ['RUN make', 'COPY . /src']);
  for (const change of ['ONBUILD', 'ONBUILD ONBUILD RUN x', 'ONBUILD FROM busybox']) {
    assert.throws(
      () => applyChanges({}, [change]),
      (err) => isPolisError(err, 'image.change_invalid'),
      change,
    );
  }
});
