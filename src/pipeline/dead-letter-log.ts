/**
 * One WARN line per dead letter, so an operator reading the log sees every record the sink set aside
 * (topic, partition, offset, schema id, reason), rate-limited per partition so a poison flood cannot
 * flood the log: at most `maxLines` lines per `intervalMs`, then one line with how many were not logged.
 */
import type { Logger } from '../core/log.ts';
import type { DeadLetter } from '../core/records.ts';

export interface DeadLetterLogOptions {
  /** Lines per interval and partition; 0 logs only the counts. */
  readonly maxLines: number;
  readonly intervalMs: number;
}

/** Schema id from the Confluent header, or null when the value does not carry one. */
export function schemaIdOf(value: Buffer | null): number | null {
  return value !== null && value.length >= 5 && value[0] === 0 ? value.readUInt32BE(1) : null;
}

export class DeadLetterLog {
  readonly #log: Logger;
  readonly #options: DeadLetterLogOptions;
  readonly #now: () => number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #logged = 0;
  #suppressed = 0;
  #firstSuppressed: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** `log` is the partition's child logger (it carries topic and partition). */
  constructor(log: Logger, options: DeadLetterLogOptions, now: () => number = Date.now) {
    this.#log = log;
    this.#options = options;
    this.#now = now;
  }

  /** Dead letters of a committed batch, in offset order. */
  report(letters: readonly DeadLetter[]): void {
    for (const letter of letters) {
      this.#roll();
      const { record } = letter;
      if (this.#logged < this.#options.maxLines) {
        this.#logged++;
        const schemaId = schemaIdOf(record.value);
        this.#log.warn(
          { offset: record.offset, schemaId, reason: letter.kind, error: letter.message },
          `dead letter: ${record.topic}/${record.partition}@${record.offset} schema id ${schemaId ?? 'none'} ` +
            `${letter.kind}: ${letter.message}`,
        );
        continue;
      }
      this.#suppressed++;
      this.#firstSuppressed ??= record.offset;
      // The count is logged at the end of the window even if no further dead letter comes to roll it.
      this.#timer ??= setTimeout(() => this.flush(), this.#windowStart + this.#options.intervalMs - this.#now());
      this.#timer.unref();
    }
  }

  /** Logs the count of suppressed lines, if any (end of a window, partition released). */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#suppressed === 0) return;
    const suppressed = this.#suppressed;
    this.#log.warn(
      { suppressed, fromOffset: this.#firstSuppressed, intervalMs: this.#options.intervalMs },
      `${suppressed} more dead letter${suppressed === 1 ? '' : 's'} from offset ${this.#firstSuppressed} not logged ` +
        `(at most ${this.#options.maxLines} lines per ${this.#options.intervalMs} ms and partition; all are in the dead-letter table)`,
    );
    this.#suppressed = 0;
    this.#firstSuppressed = undefined;
  }

  #roll(): void {
    const now = this.#now();
    if (now - this.#windowStart < this.#options.intervalMs) return;
    this.flush();
    this.#windowStart = now;
    this.#logged = 0;
  }
}
