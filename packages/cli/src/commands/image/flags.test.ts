import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../flags.js';
import { UsageError } from '../../errors.js';
import { HUMAN_HISTORY_FORMAT, PLAIN_HISTORY_FORMAT } from '../../format/history-rows.js';
import { checkLoginFlags, spec as loginSpec } from '../system/login.js';
import { spec as logoutSpec } from '../system/logout.js';
import { historyFormat, spec as historySpec } from './history.js';
import { spec as loadSpec } from './load.js';
import { pruneFilters, pruneReport, spec as pruneSpec } from './prune.js';
import { spec as pullSpec } from './pull.js';
import { spec as pushSpec } from './push.js';
import { spec as saveSpec } from './save.js';
import { pullOptions } from '../container/create-container.js';
import { spec as runSpec } from '../container/run.js';

test('pull and push: one name, -q, --platform, -a', () => {
  const p = parseArgs(pullSpec, ['-q', '--platform=linux/arm64', 'busybox:1.36']);
  assert.deepEqual([p.args, p.values.quiet, p.values.platform], [['busybox:1.36'], true, 'linux/arm64']);
  assert.throws(() => parseArgs(pullSpec, []), UsageError);
  assert.throws(() => parseArgs(pullSpec, ['a', 'b']), /requires exactly 1 argument/);
  const q = parseArgs(pushSpec, ['-aq', 'localhost:5000/app']);
  assert.deepEqual([q.values['all-tags'], q.values.quiet], [true, true]);
});

test('save -o, load -i -q', () => {
  const s = parseArgs(saveSpec, ['-o', 'out.tar', 'busybox', 'app:1']);
  assert.deepEqual([s.values.output, s.args], ['out.tar', ['busybox', 'app:1']]);
  assert.throws(() => parseArgs(saveSpec, ['-o', 'x.tar']), /requires at least 1 argument/);
  const l = parseArgs(loadSpec, ['-qi', 'in.tar']);
  assert.deepEqual([l.values.input, l.values.quiet], ['in.tar', true]);
  assert.throws(() => parseArgs(loadSpec, ['extra']), /accepts no arguments/);
});

test('history: -H=false picks the plain layout, -q the ids, --format wins', () => {
  assert.equal(historyFormat(parseArgs(historySpec, ['img'])), HUMAN_HISTORY_FORMAT);
  assert.equal(historyFormat(parseArgs(historySpec, ['-H=false', 'img'])), PLAIN_HISTORY_FORMAT);
  assert.equal(historyFormat(parseArgs(historySpec, ['--human=false', 'img'])), PLAIN_HISTORY_FORMAT);
  assert.equal(historyFormat(parseArgs(historySpec, ['-q', 'img'])), '{{.ID}}');
  assert.equal(historyFormat(parseArgs(historySpec, ['-q', '--format', '{{.Size}}', 'img'])), '{{.Size}}');
  assert.equal(parseArgs(historySpec, ['--no-trunc', 'img']).values['no-trunc'], true);
});

test('image prune: dangling=true unless -a; filters kept; the report as docker prints it', () => {
  assert.deepEqual(pruneFilters(parseArgs(pruneSpec, [])), { dangling: ['true'] });
  assert.deepEqual(pruneFilters(parseArgs(pruneSpec, ['-af', '--filter', 'until=24h'])), {
    until: ['24h'],
    dangling: ['false'],
  });
  assert.equal(
    pruneReport({
      ImagesDeleted: [{ Untagged: 'busybox:latest' }, { Deleted: 'sha256:abc' }],
      SpaceReclaimed: 1_234_567,
    }),
    'Deleted Images:\nuntagged: busybox:latest\ndeleted: sha256:abc\n\nTotal reclaimed space: 1.235MB\n',
  );
  assert.equal(pruneReport({ ImagesDeleted: null, SpaceReclaimed: 0 }), 'Total reclaimed space: 0B\n');
});

test('login: -u/-p/--password-stdin and their conflicts; logout takes one server', () => {
  const ok = parseArgs(loginSpec, ['-u', 'me', '--password-stdin', 'localhost:5000']);
  assert.doesNotThrow(() => checkLoginFlags(ok));
  assert.deepEqual(ok.args, ['localhost:5000']);
  assert.throws(
    () => checkLoginFlags(parseArgs(loginSpec, ['-u', 'me', '-p', 'x', '--password-stdin'])),
    /mutually exclusive/,
  );
  assert.throws(() => checkLoginFlags(parseArgs(loginSpec, ['--password-stdin'])), /Must provide --username/);
  assert.throws(() => parseArgs(logoutSpec, ['a', 'b']), /at most 1 argument/);
});

test('run --pull: missing by default, always/never accepted, anything else refused', () => {
  assert.deepEqual(pullOptions(parseArgs(runSpec, ['busybox'])), { policy: 'missing', quiet: false });
  assert.deepEqual(
    pullOptions(parseArgs(runSpec, ['--pull', 'always', '-q', '--platform', 'linux/amd64', 'busybox'])),
    {
      policy: 'always',
      quiet: true,
      platform: 'linux/amd64',
    },
  );
  assert.equal(pullOptions(parseArgs(runSpec, ['--pull=never', 'busybox'])).policy, 'never');
  assert.throws(
    () => pullOptions(parseArgs(runSpec, ['--pull=sometimes', 'busybox'])),
    /invalid pull option: 'sometimes'/,
  );
});
