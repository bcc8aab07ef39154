import { createLogger } from '@polis/core';

const log = createLogger('network');

/**
 * The undo of a verb in progress: each step that changed something pushes how to take it back; on
 * failure they run newest first, every one even when an earlier one fails (each failure is logged,
 * never swallowed), so one stuck step does not leave the rest of the half-made thing behind.
 */
export class Undo {
  private readonly steps: { what: string; run: () => unknown }[] = [];

  constructor(private readonly context: Record<string, unknown> = {}) {}

  push(what: string, run: () => unknown): void {
    this.steps.push({ what, run });
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (err) {
        log.warn(`could not undo: ${step.what}`, { ...this.context, error: err });
      }
    }
  }
}
