import { PolisError } from '@polis/core';
import { bundleDir, type RuntimeContext } from '../context.js';
import { bundleFiles } from '../lifecycle/start.js';
import { resolveContainer } from '../store/resolve.js';
import { readSecurityReport, type SecurityReport } from './security-report.js';

/** The security report of a running (or paused) container; any other state is a 409. */
export async function containerSecurity(ctx: RuntimeContext, reference: string): Promise<SecurityReport> {
  const record = resolveContainer(ctx.store, reference);
  const { status, pid } = record.state;
  if ((status !== 'running' && status !== 'paused') || pid <= 0) {
    throw new PolisError(
      'container.not_running',
      `Container ${record.id} is not running: the security report reads the kernel's view of its processes`,
      { context: { id: record.id } },
    );
  }
  try {
    return await readSecurityReport(pid, {
      configPath: bundleFiles(bundleDir(ctx, record.id)).config,
      hostCapabilities: ctx.hostCapabilities,
    });
  } catch (err) {
    // The process can exit between the state check and the reads.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') {
      throw new PolisError('container.not_running', `Container ${record.id} is not running`, {
        context: { id: record.id },
        cause: err,
      });
    }
    throw err;
  }
}
