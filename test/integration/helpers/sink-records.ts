import type { Type } from 'avsc';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { encodeWire } from '../../fixtures/wire-format.ts';
import { SEQUENCED_SCHEMA } from './sink-harness.ts';

/**
 * Hand-built records for tests that place good and bad records at exact offsets of one partition,
 * where SinkScenario.produceSequenced (same sequence in every partition) does not fit.
 */
export const SEQUENCED_TYPE: Type = parseAvroSchema(SEQUENCED_SCHEMA);

export interface RawMessage {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
}

export interface SequencedFields {
  key_field: string;
  seq: number;
  produced_at: number;
  note: string;
  amount: number;
}

/** A good record in the harness's shape, so SinkScenario.tableState can check order and completeness. */
export function sequencedFields(partition: number, seq: number): SequencedFields {
  return { key_field: `p${partition}-${seq}`, seq, produced_at: Date.now(), note: `seq=${seq}`, amount: seq / 7 };
}

export function sequenced(
  schemaId: number,
  partition: number,
  seq: number,
  change: Partial<SequencedFields> = {},
): RawMessage {
  const fields = { ...sequencedFields(partition, seq), ...change };
  return {
    partition,
    key: Buffer.from(fields.key_field),
    value: encodeWire(schemaId, SEQUENCED_TYPE.toBuffer(fields)),
  };
}

/** Per-partition sequence counters: `next(p, n)` gives n good records continuing partition p's sequence. */
export class Sequencer {
  readonly schemaId: number;
  readonly #next = new Map<number, number>();

  constructor(schemaId: number) {
    this.schemaId = schemaId;
  }

  next(partition: number, count: number): RawMessage[] {
    const first = this.#next.get(partition) ?? 0;
    this.#next.set(partition, first + count);
    return Array.from({ length: count }, (_, i) => sequenced(this.schemaId, partition, first + i));
  }

  count(partition: number): number {
    return this.#next.get(partition) ?? 0;
  }
}

/** MySQL identifier quoting for test queries on hostile names, written apart from src/mysql/identifiers.ts so the test does not trust the code it checks. */
export function quoteId(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}
