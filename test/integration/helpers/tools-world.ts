import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordDecoder } from '../../../src/avro/decoder.ts';
import { RegistryClient } from '../../../src/avro/registry-client.ts';
import { groupIdFor, tableNameFor, type SinkConfig } from '../../../src/config/index.ts';
import { buildColumnModel } from '../../../src/mysql/column-model.ts';
import { insertRows } from '../../../src/mysql/dml.ts';
import { insertOffsetIfAbsent, updateOffset } from '../../../src/mysql/offset-sql.ts';
import type { ConsumedRecord } from './kafka-client.ts';
import { type KmsResult, oneLineError, runKms } from './kms-cli.ts';
import { ScratchDatabase } from './scratch-database.ts';
import { REGISTRY } from './services.ts';
import { type Settings, TestWorld } from './test-world.ts';

/** A record schema like the seed's datasets, with a decimal, a date and a nullable field. */
export const SEED_LIKE = (name: string): object => ({
  type: 'record',
  name,
  namespace: 'test.tools',
  fields: [
    { name: 'key_field', type: 'string' },
    { name: 'timestamp_field', type: 'long' },
    { name: 'string_field', type: 'string' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'note', type: ['null', 'string'] },
  ],
});

/**
 * A test world for the operator tools: `provision` creates its topics and database (`kms_test_<id>`), from
 * a schema file of its own (one SEED_LIKE schema per topic); `kms` runs the CLI with any arguments.
 */
export class ToolsWorld extends TestWorld {
  readonly id: string;
  readonly dir = mkdtempSync(join(tmpdir(), 'kms-tools-'));
  readonly schemaFile: string;

  constructor(topicCount = 2) {
    const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    super(
      Array.from({ length: topicCount }, (_, i) => `kms_t_${id}_${i}`),
      new ScratchDatabase(`kms_test_${id}`),
    );
    this.id = id;
    this.schemaFile = this.writeSchemas(Object.fromEntries(this.topics.map((t, i) => [t, SEED_LIKE(`r${i}`)])));
  }

  writeSchemas(topics: Record<string, unknown>, name = 'schemas.json'): string {
    const path = join(this.dir, name);
    writeFileSync(path, JSON.stringify({ topics }, null, 2));
    return path;
  }

  kms(args: readonly string[], timeoutMs = 60_000): Promise<KmsResult> {
    return runKms(args, {}, { timeoutMs });
  }

  /** Runs `kms <args>` pointed at this world (plus `settings`); it must exit `code` with one "kms: …" line matching `error`. */
  async fails(args: readonly string[], settings: Settings, code: number, error: RegExp): Promise<KmsResult> {
    const run = await this.kms([...args, ...this.sets(settings)]);
    assert.equal(run.code, code);
    assert.match(oneLineError(run), error);
    return run;
  }

  override async cleanup(): Promise<void> {
    await super.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * What the sink does for these records, without its pipeline: decode, one row per record with the
 * provenance coordinates, and the partition's offset row at last offset + 1.
 */
export async function simulateSink(
  world: TestWorld,
  config: SinkConfig,
  topic: string,
  records: readonly ConsumedRecord[],
): Promise<void> {
  const decoder = new RecordDecoder(new RegistryClient({ url: REGISTRY }).schemas);
  const table = tableNameFor(config, topic);
  const group = groupIdFor(config, topic);
  const rows: unknown[][] = [];
  let columns: string[] = [];
  const next = new Map<number, number>();
  for (const record of records) {
    const decoded = await decoder.decode(record.bytes);
    const model = buildColumnModel(decoded.type, { stringType: config.sink.stringType, provenance: true });
    columns = model.columns.map((c) => c.name);
    rows.push(
      model.toRow(decoded.value, {
        partition: record.partition,
        offset: record.offset,
        timestamp: record.timestamp ?? null,
      }),
    );
    next.set(record.partition, Math.max(next.get(record.partition) ?? 0, record.offset + 1));
  }
  for (let i = 0; i < rows.length; i += 500) await world.db.query(insertRows(table, columns, rows.slice(i, i + 500)));
  for (const [partition, offset] of next) {
    await world.db.query(insertOffsetIfAbsent(topic, partition, group, offset, config.sink.offsetsTable));
    await world.db.query(updateOffset(topic, partition, group, offset, config.sink.offsetsTable));
  }
}
