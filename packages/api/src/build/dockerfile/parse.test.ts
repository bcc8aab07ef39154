import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import { parseDockerfile } from './parse.js';
import { expandWord, expandWords } from './words.js';
import { parseDuration } from './duration.js';

const parseFails = (text: string, line: number, pattern: RegExp, file = 'Dockerfile'): void => {
  assert.throws(
    () => parseDockerfile(text, file),
    (e: unknown) =>
      isPolisError(e, 'build.dockerfile_invalid') &&
      (e as Error).message.includes(`line ${line} of ${file}`) &&
      pattern.test((e as Error).message),
    text,
  );
};

test('stages: FROM with AS, scratch, ARG before FROM, instructions in order', () => {
  const df = parseDockerfile(
    [
      'ARG BASE=busybox',
      'ARG V',
      'FROM ${BASE}:latest AS Build',
      'RUN echo hi > /x',
      '',
      'FROM scratch',
      'COPY --from=build /x /x',
    ].join('\n'),
  );
  assert.deepEqual(df.metaArgs, [{ name: 'BASE', value: 'busybox' }, { name: 'V' }]);
  assert.equal(df.stages.length, 2);
  assert.equal(df.stages[0]?.name, 'build');
  assert.equal(df.stages[0]?.base, '${BASE}:latest');
  assert.equal(df.stages[1]?.base, 'scratch');
  assert.equal(df.stages[1]?.line, 6);
  const copy = df.stages[1]?.instructions[0];
  assert.equal(copy?.kind, 'COPY');
  if (copy?.kind === 'COPY') {
    assert.equal(copy.from, 'build');
    assert.deepEqual(copy.sources, ['/x']);
    assert.equal(copy.dest, '/x');
  }
  assert.equal(df.stages[0]?.instructions[0]?.line, 4);
});

test('RUN: shell and exec forms, flags, heredocs', () => {
  const df = parseDockerfile(
    [
      'FROM busybox',
      'RUN echo "a b"',
      'RUN ["/bin/echo", "x"]',
      'RUN --network=none true',
      'RUN <<EOF',
      'echo one',
      'echo two',
      'EOF',
      'RUN cat <<-END > /f',
      '\tindented',
      '\tEND',
      'RUN [not json',
    ].join('\n'),
  );
  const runs = df.stages[0]?.instructions ?? [];
  assert.deepEqual(
    runs.map((r) => (r.kind === 'RUN' ? r.command : null)),
    [
      { shell: 'echo "a b"' },
      { exec: ['/bin/echo', 'x'] },
      { shell: 'true' },
      { shell: 'echo one\necho two\n' },
      { shell: 'cat <<-END > /f\nindented\nEND' },
      { shell: '[not json' },
    ],
  );
  assert.equal(runs[2]?.kind === 'RUN' ? runs[2].network : undefined, 'none');
  assert.equal(runs[5]?.line, 12);
});

test('COPY and ADD: flags, JSON form, heredoc sources', () => {
  const df = parseDockerfile(
    [
      'FROM busybox',
      'COPY --chown=1:2 --chmod=0640 a b* /dst/',
      'COPY ["with space", "/d d"]',
      'ADD x.tar /opt/',
      'COPY <<EOF /etc/greeting',
      'hello',
      'EOF',
    ].join('\n'),
  );
  const [c1, c2, add, here] = df.stages[0]?.instructions ?? [];
  assert.ok(c1?.kind === 'COPY' && c2?.kind === 'COPY' && add?.kind === 'ADD' && here?.kind === 'COPY');
  assert.equal(c1.chown, '1:2');
  assert.equal(c1.chmod, '0640');
  assert.deepEqual(c1.sources, ['a', 'b*']);
  assert.deepEqual(c2.sources, ['with space']);
  assert.equal(c2.dest, '/d d');
  assert.deepEqual(here.sources, ['<<EOF']);
  assert.equal(here.heredocs[0]?.content, 'hello\n');
  parseFails('FROM busybox\nCOPY onlyone', 2, /at least two arguments/);
  parseFails('FROM busybox\nADD --from=x a b', 2, /unknown flag: from/);
  parseFails('FROM busybox\nCOPY --bogus=1 a b', 2, /unknown flag: bogus/);
});

test('continuations, comments inside them, the escape directive', () => {
  const df = parseDockerfile(
    ['FROM busybox', 'RUN echo a \\', '# a comment', '', '    b \\', '  c', '# last', 'ENV X=1'].join('\n'),
  );
  const [run, env] = df.stages[0]?.instructions ?? [];
  assert.deepEqual(run?.kind === 'RUN' ? run.command : null, { shell: 'echo a     b   c' });
  assert.equal(env?.line, 8);
  const tick = parseDockerfile(['# escape=`', 'FROM busybox', 'RUN echo C:\\dir `', '  next'].join('\n'));
  assert.equal(tick.escape, '`');
  const r = tick.stages[0]?.instructions[0];
  assert.deepEqual(r?.kind === 'RUN' ? r.command : null, { shell: 'echo C:\\dir   next' });
  // A directive after a comment is only a comment.
  const late = parseDockerfile(['# hello', '# escape=`', 'FROM busybox'].join('\n'));
  assert.equal(late.escape, '\\');
  parseFails('# escape=x\nFROM busybox', 1, /invalid escape token/);
});

test('metadata instructions', () => {
  const df = parseDockerfile(
    [
      'FROM busybox',
      'ENV A=1 B="two words"',
      'ENV LEGACY value with spaces',
      'ARG X=1 Y',
      'WORKDIR /app',
      'USER 1000:1000',
      'CMD ["run", "me"]',
      'ENTRYPOINT exec top',
      'EXPOSE 80/tcp 53/udp',
      'LABEL a=b "c d"=e',
      'VOLUME ["/data", "/logs"]',
      'VOLUME /one /two',
      'HEALTHCHECK --interval=5s --timeout=1m30s --start-period=1s --retries=3 CMD wget -q localhost',
      'HEALTHCHECK NONE',
      'SHELL ["/bin/sh", "-ec"]',
      'STOPSIGNAL SIGTERM',
      'ONBUILD RUN echo later',
      'maintainer someone',
    ].join('\n'),
  );
  const ins = df.stages[0]?.instructions ?? [];
  assert.deepEqual(
    ins.map((i) => i.kind),
    [
      'ENV',
      'ENV',
      'ARG',
      'WORKDIR',
      'USER',
      'CMD',
      'ENTRYPOINT',
      'EXPOSE',
      'LABEL',
      'VOLUME',
      'VOLUME',
      'HEALTHCHECK',
      'HEALTHCHECK',
      'SHELL',
      'STOPSIGNAL',
      'ONBUILD',
      'MAINTAINER',
    ],
  );
  const get = (i: number, k: string): unknown => (ins[i] as unknown as Record<string, unknown>)[k];
  assert.deepEqual(get(2, 'args'), [{ name: 'X', value: '1' }, { name: 'Y' }]);
  assert.deepEqual(get(5, 'command'), { exec: ['run', 'me'] });
  assert.deepEqual(get(6, 'command'), { shell: 'exec top' });
  assert.deepEqual(get(7, 'values'), ['80/tcp', '53/udp']);
  assert.deepEqual(get(9, 'values'), ['/data', '/logs']);
  assert.deepEqual(get(10, 'values'), ['/one', '/two']);
  assert.deepEqual(get(11, 'command'), { shell: 'wget -q localhost' });
  assert.equal(get(11, 'interval'), 5e9);
  assert.equal(get(11, 'timeout'), 90e9);
  assert.equal(get(11, 'startPeriod'), 1e9);
  assert.equal(get(11, 'retries'), 3);
  assert.equal(get(12, 'command'), undefined);
  assert.deepEqual(get(13, 'shell'), ['/bin/sh', '-ec']);
  assert.equal(get(15, 'expression'), 'RUN echo later');
});

test('parse errors name the file and the line', () => {
  parseFails('FROM busybox\n\nBOGUS x', 3, /unknown instruction: BOGUS/, 'Dockerfile.dev');
  parseFails('RUN echo', 1, /no build stage/);
  parseFails('FROM a b', 1, /one or three arguments/);
  parseFails('FROM a AS x\nFROM b AS X', 2, /duplicate name x/);
  parseFails('FROM busybox\nSHELL /bin/sh', 2, /JSON form/);
  parseFails('FROM busybox\nHEALTHCHECK --interval=5 CMD true', 2, /invalid duration/);
  parseFails('FROM busybox\nHEALTHCHECK BOGUS', 2, /Unknown type/);
  parseFails('FROM busybox\nONBUILD ONBUILD RUN x', 2, /Chaining ONBUILD/);
  parseFails('FROM busybox\nONBUILD FROM x', 2, /isn't allowed/);
  parseFails('FROM busybox\nRUN <<EOF\necho', 2, /unterminated heredoc/);
  parseFails('FROM busybox\nRUN --mount=type=cache,target=/x true', 2, /BuildKit/);
  parseFails('FROM busybox\nWORKDIR', 2, /at least one argument/);
  parseFails('', 1, /no instructions/);
  parseFails('FROM busybox\n' + 'RUN true\n'.repeat(200_000), 1, /larger than/);
});

test('words: quotes, escapes and substitution as Docker expands them', () => {
  const vars = new Map([
    ['A', 'x'],
    ['E', ''],
    ['SP', 'a b'],
  ]);
  assert.deepEqual(expandWords('k=$A "q $A" \'s $A\' e\\ sc', vars), ['k=x', 'q x', 's $A', 'e sc']);
  assert.deepEqual(expandWords('${A}y ${U:-def} ${E:-d2} ${E-d3} ${A:+alt} ${U:+alt}', vars), [
    'xy',
    'def',
    'd2',
    'alt',
  ]);
  assert.equal(expandWord('/app/$SP dir', vars), '/app/a b dir');
  assert.equal(expandWord('cost \\$5', vars), 'cost $5');
  const used = new Set<string>();
  expandWords('$A ${B:-1}', vars, '\\', used);
  assert.deepEqual([...used].sort(), ['A', 'B']);
  assert.throws(() => expandWords('"open', vars), /double-quote/);
  assert.throws(() => expandWords('${U:?must be set}', vars), /must be set/);
});

test('durations as Go parses them', () => {
  assert.equal(parseDuration('30s'), 30e9);
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('1.5h'), 5400e9);
  assert.equal(parseDuration('250ms'), 250e6);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('5'), undefined);
  assert.equal(parseDuration('5x'), undefined);
});
