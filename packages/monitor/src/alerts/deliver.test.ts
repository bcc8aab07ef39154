import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deliverWebhook, runCommand, type AlertNotice, type Attempt } from './deliver.js';
import { parseRule } from './rule.js';
import { signBody } from './sign.js';

const notice: AlertNotice = {
  version: 1,
  status: 'firing',
  alertId: 'a1',
  rule: 'r',
  condition: 'oom',
  subject: 'c1',
  message: 'container web was killed',
  startsAt: '2026-01-01T00:00:00.000Z',
  labels: { containerName: 'web' },
};

test('a webhook answered 500 is retried until a 2xx; every attempt is reported; the body is signed', async () => {
  const seen: { signature: string | undefined; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ signature: req.headers['x-polis-signature'] as string | undefined, body });
      res.writeHead(seen.length < 3 ? 500 : 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/h`;
    const rule = parseRule({ name: 'r', on: 'oom', webhook: url, secret: 'k' });
    const attempts: Attempt[] = [];
    const ok = await deliverWebhook(rule, notice, (a) => attempts.push(a), {
      attempts: 5,
      firstDelayMs: 10,
      maxDelayMs: 20,
      timeoutMs: 2000,
    });
    assert.equal(ok, true);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.ok, a.detail]),
      [
        [1, false, 'HTTP 500'],
        [2, false, 'HTTP 500'],
        [3, true, 'HTTP 200'],
      ],
    );
    assert.deepEqual(JSON.parse(seen[0]!.body), notice);
    assert.equal(seen[0]!.signature, signBody(seen[0]!.body, 'k'));
  } finally {
    server.close();
  }
});

test('a webhook that never answers gives up after its attempts', async () => {
  const rule = parseRule({ name: 'r', on: 'oom', webhook: 'http://127.0.0.1:1/none' });
  const attempts: Attempt[] = [];
  const ok = await deliverWebhook(rule, notice, (a) => attempts.push(a), {
    attempts: 2,
    firstDelayMs: 5,
    maxDelayMs: 5,
    timeoutMs: 1000,
  });
  assert.equal(ok, false);
  assert.deepEqual(
    attempts.map((a) => [a.attempt, a.ok, a.detail]),
    [
      [1, false, 'ECONNREFUSED'],
      [2, false, 'ECONNREFUSED'],
    ],
  );
});

test('a command gets the notice as JSON on stdin and its fields in POLIS_ALERT_*', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-alert-'));
  try {
    const out = join(dir, 'out');
    const rule = parseRule({
      name: 'r',
      on: 'oom',
      exec: `cat > ${out}.json; echo "$POLIS_ALERT_STATUS $POLIS_ALERT_CONTAINER" > ${out}`,
    });
    assert.deepEqual(await runCommand(rule, notice), {
      action: 'exec',
      attempt: 1,
      ok: true,
      detail: 'exit 0',
    });
    assert.deepEqual(JSON.parse(readFileSync(`${out}.json`, 'utf8')), notice);
    assert.equal(readFileSync(out, 'utf8'), 'firing web\n');
    const failing = await runCommand(parseRule({ name: 'r', on: 'oom', exec: 'exit 4' }), notice);
    assert.equal(failing.ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
