/** Keyed-table test data: Avro-keyed account events, the table a stream of them must leave, and their producer. */
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import type { ResultRow } from '../../../src/mysql/pool.ts';
import { avroRecord } from '../../../kit/tools/avro-record.ts';
import { encodeWire } from '../../fixtures/wire-format.ts';
import { type SinkProcess, SinkScenario, useScenarios } from './sink-harness.ts';
import type { RawMessage } from './sink-records.ts';

export const KEY_SCHEMA = avroRecord('kms.test.AccountKey', { id: 'long', region: 'string' });
export const VALUE_SCHEMA = avroRecord('kms.test.Account', { id: 'long', name: 'string', amount: 'double' });
export const KEY_TYPE = parseAvroSchema(KEY_SCHEMA);
export const VALUE_TYPE = parseAvroSchema(VALUE_SCHEMA);
export const KEYED = {
  'sink.pk.mode': 'record_key',
  'sink.insert.mode': 'upsert',
  'sink.delete.enabled': 'true',
  'sink.batch.max.records': 40,
};

export interface Event {
  partition: number;
  id: number;
  /** undefined: a tombstone. */
  name?: string;
}

/** Row per key the stream leaves: key → [id, region, name, amount, offset of the last write]. */
export function expectedRows(events: readonly Event[]): Map<string, unknown[]> {
  const rows = new Map<string, unknown[]>();
  const offsets = new Map<number, number>();
  for (const event of events) {
    const offset = offsets.get(event.partition) ?? 0;
    offsets.set(event.partition, offset + 1);
    const key = `${event.id}/r${event.partition}`;
    if (event.name === undefined) rows.delete(key);
    else rows.set(key, [event.id, `r${event.partition}`, event.name, offset / 4, offset]);
  }
  return rows;
}

/** Events `from..to-1` of each partition: 10 keys per partition, every 9th event a tombstone. */
export function stream(from: number, to: number, partitions: number): Event[] {
  const events: Event[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    for (let i = from; i < to; i++) {
      // The first four events of a partition are insert, update, delete, insert of one key, in one batch.
      if (i < 4) {
        events.push({ partition, id: partition, ...(i === 2 ? {} : { name: `first-${i}` }) });
        continue;
      }
      const id = partition + 3 * ((i * 7) % 10);
      events.push({ partition, id, ...(i % 9 === 4 ? {} : { name: `n${i}` }) });
    }
  }
  return events;
}

/**
 * A test file's scenario (`topics` topics of 3 partitions, set up before and cleaned up after the file) and
 * the helpers that need it: its registry, broker and database.
 */
export function useKeyedScenario(topics: number, tag: string) {
  const scenario = new SinkScenario(topics, 3, tag);
  useScenarios(scenario);
  return { scenario, produceEvents, tableRows };

  async function produceEvents(topic: string, events: readonly Event[], start: Map<number, number>): Promise<void> {
    const keyId = await scenario.registry.register(`${topic}-key`, KEY_SCHEMA);
    const valueId = await scenario.registry.register(`${topic}-value`, VALUE_SCHEMA);
    const messages: RawMessage[] = events.map((event) => {
      const offset = start.get(event.partition) ?? 0;
      start.set(event.partition, offset + 1);
      return {
        partition: event.partition,
        key: encodeWire(keyId, KEY_TYPE.toBuffer({ id: event.id, region: `r${event.partition}` })),
        value:
          event.name === undefined
            ? null
            : encodeWire(valueId, VALUE_TYPE.toBuffer({ id: event.id, name: event.name, amount: offset / 4 })),
      };
    });
    await scenario.produceRaw(topic, messages);
  }

  async function tableRows(topic: string, columns: string): Promise<unknown[][]> {
    const [rows] = await scenario.admin.query<ResultRow[]>({
      sql: `SELECT ${columns} FROM \`${scenario.database}\`.\`${topic}\` ORDER BY 1, 2`,
      rowsAsArray: true,
    });
    return (rows as unknown as unknown[][]).map((row) =>
      row.map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v)),
    );
  }
}

/**
 * SIGTERM once the sink is past start-up (a sink started after the previous one committed everything has
 * nothing to wait for; signalled before its handlers exist, it would die by the signal), then exit 0.
 */
export async function stopGracefully(sink: SinkProcess): Promise<void> {
  await sink.waitForLog('consuming', (line) => line.msg === 'consuming');
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-3000));
}
