import type { Type } from 'avsc';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import { encodeWire } from '../../fixtures/wire-format.ts';
import { SEQUENCED_SCHEMA, type SinkScenario } from './sink-harness.ts';

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

/**
 * Pre-creates `table` in the harness's layout, as an operator would, with a CHECK constraint the model does
 * not know (amount not negative): the database, not the sink, rejects such a record.
 */
export async function createCheckedSequencedTable(scenario: SinkScenario, table: string): Promise<void> {
  await scenario.admin.query(`CREATE TABLE \`${scenario.database}\`.\`${table}\` (
    key_field VARCHAR(255) NOT NULL, seq BIGINT NOT NULL, produced_at BIGINT NOT NULL, note VARCHAR(255) NOT NULL, amount DOUBLE NOT NULL,
    _kafka_partition INT NOT NULL, _kafka_offset BIGINT NOT NULL, _kafka_timestamp DATETIME(3) NULL,
    PRIMARY KEY (_kafka_partition, _kafka_offset), CONSTRAINT amount_not_negative CHECK (amount >= 0))`);
}
