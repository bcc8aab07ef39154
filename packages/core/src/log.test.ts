import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, logFailure } from './log.js';

/** What the logger writes to stderr while `fn` runs. */
async function stderrOf(fn: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = write;
  }
  return chunks.join('');
}

test('a failed best-effort step is logged with its context and does not throw', async () => {
  const log = createLogger('unit');
  const out = await stderrOf(async () => {
    const result = await Promise.reject(new Error('device busy')).catch(
      logFailure(log, 'unmounting the rootfs', { id: 'c1' }),
    );
    assert.equal(result, undefined);
  });
  assert.match(
    out,
    /level=warn component=unit msg="unmounting the rootfs failed" id="c1" error="device busy"/,
  );
});
