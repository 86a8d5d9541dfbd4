import type { KafkaRecord } from '../core/records.ts';

/**
 * The bounded hand-off between fetching and writing for one partition (the seed's blocking queue).
 * Fetching never blocks: the owner pauses the partition when `isFull` and resumes when `canResume`.
 * A ring of arrays keeps take() O(batch) without shifting.
 */
export class PartitionQueue {
  readonly capacity: number;
  readonly resumeAt: number;
  #chunks: KafkaRecord[][] = [];
  #head = 0;
  #length = 0;
  #waiter: (() => void) | undefined;

  constructor(capacity: number, resumeAt: number) {
    this.capacity = capacity;
    this.resumeAt = Math.min(resumeAt, capacity - 1);
  }

  get length(): number {
    return this.#length;
  }
  get isFull(): boolean {
    return this.#length >= this.capacity;
  }
  get canResume(): boolean {
    return this.#length <= this.resumeAt;
  }

  push(records: KafkaRecord[]): void {
    if (records.length === 0) return;
    this.#chunks.push(records);
    this.#length += records.length;
    this.#wake();
  }

  /** Puts records back at the head (a fenced batch whose tail is still to be written). */
  pushFront(records: KafkaRecord[]): void {
    if (records.length === 0) return;
    if (this.#head > 0) {
      this.#chunks[0] = this.#chunks[0]!.slice(this.#head);
      this.#head = 0;
    }
    this.#chunks.unshift(records);
    this.#length += records.length;
    this.#wake();
  }

  take(max: number): KafkaRecord[] {
    const out: KafkaRecord[] = [];
    while (out.length < max && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const n = Math.min(max - out.length, chunk.length - this.#head);
      for (let i = 0; i < n; i++) out.push(chunk[this.#head + i]!);
      this.#head += n;
      if (this.#head >= chunk.length) {
        this.#chunks.shift();
        this.#head = 0;
      }
    }
    this.#length -= out.length;
    return out;
  }

  /** Drops queued records below `offset` (already written by someone); returns how many. */
  dropBelow(offset: number): number {
    let dropped = 0;
    while (this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      while (this.#head < chunk.length && chunk[this.#head]!.offset < offset) {
        this.#head++;
        dropped++;
      }
      if (this.#head < chunk.length) break;
      this.#chunks.shift();
      this.#head = 0;
    }
    this.#length -= dropped;
    return dropped;
  }

  clear(): number {
    const dropped = this.#length;
    this.#chunks = [];
    this.#head = 0;
    this.#length = 0;
    return dropped;
  }

  /** Resolves when records are queued, or at once if some already are. */
  whenNotEmpty(): Promise<void> {
    if (this.#length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Releases a pending whenNotEmpty() (used on stop). */
  interrupt(): void {
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}
