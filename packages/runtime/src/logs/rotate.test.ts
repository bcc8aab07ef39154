import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rotatedFiles, syncLog } from './rotate.js';

/** What conmon does at `--log-size-max`: a fresh `<log>.tmp` (O_CREAT|O_TRUNC) renamed over `<log>`. */
function conmonCut(log: string): void {
  closeSync(openSync(`${log}.tmp`, 'w'));
  renameSync(`${log}.tmp`, log);
}

function withLog(fn: (log: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'polis-rotate-'));
  try {
    fn(join(dir, 'ctr.log'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The log as a reader sees it: rotated files oldest first, then the live one. */
function contents(log: string, maxFiles: number): string {
  let out = '';
  for (let i = maxFiles - 1; i >= 1; i--) {
    try {
      out += readFileSync(`${log}.${i}`, 'utf8');
    } catch {
      // not there (yet)
    }
  }
  return out + readFileSync(log, 'utf8');
}

test('a cut by conmon loses nothing: the cut file becomes .1, the next file is staged', () => {
  withLog((log) => {
    appendFileSync(log, 'a\n');
    syncLog(log, 2);
    appendFileSync(log, 'b\n');
    conmonCut(log);
    appendFileSync(log, 'c\n');
    syncLog(log, 2);
    assert.equal(contents(log, 2), 'a\nb\nc\n');
    assert.deepEqual(readdirSync(join(log, '..')).sort(), [
      '.ctr.log.held',
      '.ctr.log.next',
      'ctr.log',
      'ctr.log.1',
      'ctr.log.tmp',
    ]);
  });
});

test('two cuts before polisd looks: both cut files are kept, in order', () => {
  withLog((log) => {
    appendFileSync(log, '1\n');
    syncLog(log, 3);
    conmonCut(log); // into the staged file
    appendFileSync(log, '2\n');
    conmonCut(log); // into a file of conmon's own: nothing was staged yet
    appendFileSync(log, '3\n');
    syncLog(log, 3);
    assert.equal(contents(log, 3), '1\n2\n3\n');
  });
});

test('at most max-file files: the oldest goes, the newest (max-file − 1) stay whole', () => {
  withLog((log) => {
    syncLog(log, 3);
    for (let i = 1; i <= 10; i++) {
      appendFileSync(log, `${i}\n`);
      conmonCut(log);
      syncLog(log, 3);
    }
    appendFileSync(log, 'live\n');
    assert.equal(contents(log, 3), '9\n10\nlive\n');
    assert.deepEqual(
      readdirSync(join(log, '..'))
        .filter((f) => f.startsWith('ctr.log.') && f !== 'ctr.log.tmp')
        .sort(),
      ['ctr.log.1', 'ctr.log.2'],
    );
  });
});

test('with max-file 1 conmon’s truncation is the bound: nothing is linked or staged', () => {
  withLog((log) => {
    appendFileSync(log, 'x\n');
    assert.equal(syncLog(log, 1), undefined);
    assert.deepEqual(readdirSync(join(log, '..')), ['ctr.log']);
  });
});

test('logs read right after a cut, before rotation moved the files, include the cut file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-rotate-'));
  try {
    const log = join(dir, 'ctr.log');
    appendFileSync(log, 'old\n');
    syncLog(log, 2);
    appendFileSync(log, 'a\n');
    conmonCut(log);
    appendFileSync(log, 'b\n');
    conmonCut(log);
    appendFileSync(log, 'c\n');
    const files = await rotatedFiles(log, 2);
    const text = files.map((f) => readFileSync(f, 'utf8')).join('') + readFileSync(log, 'utf8');
    assert.equal(text, 'old\na\nb\nc\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
