/**
 * Test hook: `POLIS_TEST_CRASH_AT=<step>` makes polisd SIGKILL itself when a launch reaches that step
 * (`before-runtime-create`, `after-runtime-create`, `before-runtime-start`, `after-runtime-start`), or
 * when a `--rm` container that ended was retired but not yet cleaned up (`after-retire`), so tests can
 * check that recovery finds every interrupted start and cleanup. Unset, it costs one comparison.
 */
const CRASH_AT = process.env.POLIS_TEST_CRASH_AT;

export function crashPoint(step: string): void {
  if (CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
}
