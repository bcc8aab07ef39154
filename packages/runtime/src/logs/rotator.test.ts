import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerRecord, Logger } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import { LogRotator } from './rotator.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A rotator over one container folder, with only what rotation reads of the context and record. */
function setup(): { rotator: LogRotator; record: ContainerRecord; log: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'polis-rotator-'));
  const log = join(dir, 'ctr.log');
  const ctx = {
    config: { logMaxSize: 1024, logMaxFiles: 3 },
    events: new EventEmitter(),
    log: quiet,
  } as unknown as RuntimeContext;
  const record = {
    id: 'c1',
    paths: { logPath: log, bundle: join(dir, 'bundle'), dir },
    spec: { logging: { options: {} } },
  } as unknown as ContainerRecord;
  const rotator = new LogRotator(ctx);
  return { rotator, record, log, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What conmon does at `--log-size-max`: a fresh `<log>.tmp` renamed over `<log>`. */
function conmonCut(log: string): void {
  closeSync(openSync(`${log}.tmp`, 'w'));
  renameSync(`${log}.tmp`, log);
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

test('a watched log is staged again after a cut; once forgotten (removal) its folder is left alone', async () => {
  const { rotator, record, log, done } = setup();
  try {
    await rotator.prepare(record);
    assert.ok(existsSync(`${log}.tmp`), 'the next file is staged before conmon starts');
    conmonCut(log);
    await settle();
    assert.ok(existsSync(`${log}.tmp`), 'staged again after the cut');

    // Removal deletes the folder file by file: nothing may be made in it meanwhile.
    rotator.forget(record.id);
    conmonCut(log);
    await settle();
    assert.equal(existsSync(`${log}.tmp`), false, 'nothing staged in a folder being removed');
  } finally {
    rotator.stop();
    done();
  }
});
