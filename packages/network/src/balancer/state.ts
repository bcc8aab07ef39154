import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KernelBackend } from './render.js';
import type { BalancerFrontend } from './types.js';

/** One entry point as recorded: what a restarted daemon needs to rebuild or sweep it. */
export interface ServiceRecord {
  mode: 'kernel' | 'proxy';
  id: string;
  frontend: BalancerFrontend;
  backends: KernelBackend[];
  /** Backends out of the rotation whose counters live until their drain ends (kernel path). */
  draining: KernelBackend[];
}

/**
 * The balancer's record on the exec root (`<exec root>/balancer/<table>.json`): read synchronously at
 * construction so `list()` answers at once after a restart, written (rename over) after every change.
 * The exec root is a tmpfs: after a reboot the record is gone, and so is every nftables rule.
 */
export class BalancerState {
  readonly services = new Map<string, ServiceRecord>();

  constructor(private readonly path: string) {
    try {
      const doc = JSON.parse(readFileSync(path, 'utf8')) as { services?: Record<string, ServiceRecord> };
      for (const [key, rec] of Object.entries(doc.services ?? {})) this.services.set(key, rec);
    } catch {
      // No record (first start, reboot) or an unreadable one: nothing to restore; the table is swept.
    }
  }

  save(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ services: Object.fromEntries(this.services) }), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
