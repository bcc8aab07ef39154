import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { imageEvent, type DockerEvent } from './event.js';
import { EventLog } from './log.js';

test('a full database does not fail the operation that published the event; listeners still hear it', () => {
  const db = new Database(':memory:');
  const log = new EventLog(db);
  log.publish(imageEvent('pull', 'kept', {}));
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const heard: DockerEvent[] = [];
  log.subscribe((e) => heard.push(e));
  const big = imageEvent('tag', 'lost', { note: 'x'.repeat(64 * 1024) });
  assert.doesNotThrow(() => log.publish(big));
  assert.deepEqual(
    heard.map((e) => e.id),
    ['lost'],
  );
  assert.deepEqual(
    log.history({}).map((e) => e.id),
    ['kept'],
  );
});
