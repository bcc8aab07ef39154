/**
 * Where the main thread and a worker hand each other bytes without copying them across or allocating per
 * piece: `slots` buffers of `size` bytes in shared memory, taken in turn, and an Int32Array of cells:
 * per slot its state (FREE or FULL) and its length, then END (the producer has nothing more) and STOP
 * (either side gave up). One side fills a free slot and publishes it; the other uses it and releases it.
 * A worker waits with `Atomics.wait` (blocking is its job); the main thread with `Atomics.waitAsync`.
 *
 * Fresh memory per piece is what this avoids: on these VMs a new 1 MiB buffer cost ~4 ms in page faults
 * and GC, more than moving its bytes.
 */
const FREE = 0;
const FULL = 1;

/** What crosses to the worker (in a job) to attach to the same ring. */
export interface RingShare {
  memory: SharedArrayBuffer;
  control: SharedArrayBuffer;
  slots: number;
  size: number;
}

/** What `waitFull` found: a slot's length, or the end of the stream, or that the other side gave up. */
export const RING_END = -1;
export const RING_STOPPED = -2;

/** A worker's longest sleep before it looks at STOP again (a missed wake-up costs at most this). */
const WAIT_MS = 1000;

export class SharedRing {
  private readonly cells: Int32Array;
  private readonly endCell: number;
  private readonly stopCell: number;

  private constructor(readonly share: RingShare) {
    this.cells = new Int32Array(share.control);
    this.endCell = 2 * share.slots;
    this.stopCell = 2 * share.slots + 1;
  }

  static create(slots: number, size: number): SharedRing {
    return new SharedRing({
      memory: new SharedArrayBuffer(slots * size),
      control: new SharedArrayBuffer((2 * slots + 2) * 4),
      slots,
      size,
    });
  }

  static attach(share: RingShare): SharedRing {
    return new SharedRing(share);
  }

  get slots(): number {
    return this.share.slots;
  }

  get size(): number {
    return this.share.size;
  }

  /** The slot's memory (its first `length` bytes), as a Buffer over the shared memory. */
  view(slot: number, length = this.share.size): Buffer {
    return Buffer.from(this.share.memory, slot * this.share.size, length);
  }

  /** The producer: the slot now holds `length` bytes for the consumer. */
  publish(slot: number, length: number): void {
    Atomics.store(this.cells, this.share.slots + slot, length);
    Atomics.store(this.cells, slot, FULL);
    Atomics.notify(this.cells, slot);
  }

  /** The consumer: done with the slot; the producer may fill it again. */
  release(slot: number): void {
    Atomics.store(this.cells, slot, FREE);
    Atomics.notify(this.cells, slot);
  }

  /** The producer: nothing follows what it published. */
  end(): void {
    Atomics.store(this.cells, this.endCell, 1);
    this.wakeAll();
  }

  /** Either side: the transfer is abandoned; waits on the other side return. */
  stop(): void {
    Atomics.store(this.cells, this.stopCell, 1);
    this.wakeAll();
  }

  isFree(slot: number): boolean {
    return Atomics.load(this.cells, slot) === FREE;
  }

  get stopped(): boolean {
    return Atomics.load(this.cells, this.stopCell) === 1;
  }

  /** Blocking (a worker): waits until the slot is free; false when the transfer was stopped. */
  waitFree(slot: number): boolean {
    while (Atomics.load(this.cells, slot) === FULL) {
      if (this.stopped) return false;
      Atomics.wait(this.cells, slot, FULL, WAIT_MS);
    }
    return !this.stopped;
  }

  /** Blocking (a worker): waits until the slot is full; its length, RING_END or RING_STOPPED. */
  waitFull(slot: number): number {
    for (;;) {
      if (Atomics.load(this.cells, slot) === FULL) return Atomics.load(this.cells, this.share.slots + slot);
      if (this.stopped) return RING_STOPPED;
      if (Atomics.load(this.cells, this.endCell) === 1) {
        // END is set after the last publish: a slot that is still free now stays free.
        return Atomics.load(this.cells, slot) === FULL
          ? Atomics.load(this.cells, this.share.slots + slot)
          : RING_END;
      }
      Atomics.wait(this.cells, slot, FREE, WAIT_MS);
    }
  }

  /** The main thread: resolves once the slot is free; false when the transfer was stopped. */
  async freeAsync(slot: number): Promise<boolean> {
    while (Atomics.load(this.cells, slot) === FULL && !this.stopped) {
      const waited = Atomics.waitAsync(this.cells, slot, FULL, WAIT_MS);
      if (waited.async) await waited.value;
    }
    return !this.stopped;
  }

  private wakeAll(): void {
    for (let slot = 0; slot < this.share.slots; slot++) Atomics.notify(this.cells, slot);
  }
}
