import { Transform, type TransformCallback } from 'node:stream';
import { BackupChecker } from '../backup/check.js';
import type { BackupManifest } from '../backup/manifest.js';

/** `BackupChecker` as a Transform: the decompressed backup in, what tar may extract out. */
export class BackupCheck extends Transform {
  private readonly checker: BackupChecker;

  constructor(onManifest?: (manifest: BackupManifest) => void) {
    super();
    this.checker = new BackupChecker(onManifest);
  }

  get manifest(): BackupManifest | undefined {
    return this.checker.manifest;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      const out = this.checker.take(chunk);
      if (out) this.push(out);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.push(this.checker.finish());
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}
