import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '@polis/sdk/engine';
import { eventContext, eventLine, rfc3339NanoFixed } from './events.js';
import { FUNCTIONS } from './functions.js';
import { Template } from './template.js';

const create: Event = {
  status: 'create',
  id: '4f2a',
  from: 'busybox',
  Type: 'container',
  Action: 'create',
  Actor: { ID: '4f2a', Attributes: { name: 'x', image: 'busybox' } },
  scope: 'local',
  time: 1795742109,
  timeNano: 1795742109164257300,
};

function inZone<T>(tz: string, fn: () => T): T {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

test('the default line is docker prettyPrintEvent: nine fraction digits, attributes sorted', () => {
  assert.equal(
    inZone('UTC', () => eventLine(create)),
    '2026-11-27T01:15:09.164257300Z container create 4f2a (image=busybox, name=x)\n',
  );
});

test('the time is local with a numeric offset, as Go formats RFC3339NanoFixed', () => {
  assert.equal(
    inZone('Asia/Kolkata', () => rfc3339NanoFixed('1795742109000000001')),
    '2026-11-27T06:45:09.000000001+05:30',
  );
  assert.equal(
    inZone('America/New_York', () => rfc3339NanoFixed('1795742109164257300')),
    '2026-11-26T20:15:09.164257300-05:00',
  );
});

test('without timeNano the seconds are used; without attributes no parentheses', () => {
  const bare: Event = { ...create, timeNano: 0, Actor: { ID: 'img', Attributes: {} }, Type: 'image' };
  assert.equal(
    inZone('UTC', () => eventLine(bare)),
    '2026-11-27T01:15:09.000000000Z image create img\n',
  );
});

test('--format sees Go field names; {{json .}} gives the wire form; unknown fields are errors', () => {
  const run = (f: string): string => Template.parse(f).execute(eventContext(create), FUNCTIONS);
  assert.equal(
    run('{{.Type}} {{.Action}} {{.Actor.ID}} {{.Status}} {{.From}} {{.Scope}}'),
    'container create 4f2a create busybox local',
  );
  assert.equal(run('{{.TimeNano}} {{index .Actor.Attributes "name"}}'), '1795742109164257300 x');
  assert.deepEqual(JSON.parse(run('{{json .}}')), create);
  assert.equal(run('{{json .}}').slice(0, 40), '{"status":"create","id":"4f2a","from":"b');
  assert.throws(() => Template.parse('{{.Bogus}}').execute(eventContext({}), FUNCTIONS), /Bogus/);
  assert.throws(() => run('{{.Actor.Name}}'), /Name/);
});

test('{{json .}} leaves out what Go omits when empty', () => {
  const { status: _s, id: _i, from: _f, ...modern } = create;
  const out = Template.parse('{{json .}}').execute(eventContext(modern), FUNCTIONS);
  assert.deepEqual(Object.keys(JSON.parse(out)), ['Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);
});
