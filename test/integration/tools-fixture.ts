/**
 * Shared by the tools integration tests: a private world per test file (unique topics, own `kms_test_*`
 * database, own schema file), the CLI run as a child process, a plain consumer, and a stand-in sink that
 * writes rows and offsets the way the real one does (used until the end-to-end test exists).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Kafka from '@confluentinc/kafka-javascript';
import mysql from 'mysql2/promise';
import { RecordDecoder } from '../../src/avro/decoder.ts';
import { buildColumnModel } from '../../src/mysql/column-model.ts';
import { RegistryClient } from '../../src/avro/registry-client.ts';
import { groupIdFor, loadConfig, tableNameFor, type SinkConfig } from '../../src/config/index.ts';
import { insertRows } from '../../src/mysql/dml.ts';
import { insertOffsetIfAbsent, updateOffset } from '../../src/mysql/offset-sql.ts';
import { MetadataClient } from '../../src/kafka/metadata-client.ts';
import { TopicAdmin } from '../../kit/tools/kafka-topics.ts';

export const BOOTSTRAP = process.env.KMS_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
export const REGISTRY = process.env.KMS_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const ROOT = join(import.meta.dirname, '..', '..');

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

export interface KmsRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export class ToolsWorld {
  readonly id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly database = `kms_test_${this.id}`;
  readonly topics: readonly string[];
  readonly dir = mkdtempSync(join(tmpdir(), 'kms-tools-'));
  readonly schemaFile: string;
  readonly extraDatabases: string[] = [];

  constructor(topicCount = 2) {
    this.topics = Array.from({ length: topicCount }, (_, i) => `kms_t_${this.id}_${i}`);
    this.schemaFile = this.writeSchemas(Object.fromEntries(this.topics.map((t, i) => [t, SEED_LIKE(`r${i}`)])));
  }

  writeSchemas(topics: Record<string, unknown>, name = 'schemas.json'): string {
    const path = join(this.dir, name);
    writeFileSync(path, JSON.stringify({ topics }, null, 2));
    return path;
  }

  /** `--set` flags pointing the CLI at this world. */
  sets(overrides: Record<string, string> = {}): string[] {
    const values: Record<string, string> = {
      'kafka.bootstrap.servers': BOOTSTRAP,
      'kafka.schema.registry.url': REGISTRY,
      'kafka.topics': this.topics.join(','),
      'mysql.url': `jdbc:mysql://127.0.0.1:3306/${this.database}`,
      ...overrides,
    };
    return Object.entries(values).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
  }

  config(overrides: Record<string, string> = {}): SinkConfig {
    const sets = this.sets(overrides).filter((_, i) => i % 2 === 1);
    return loadConfig({ file: join(ROOT, 'config', 'sink.properties'), overrides: sets });
  }

  kms(args: readonly string[], timeoutMs = 60_000): Promise<KmsRun> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(join(ROOT, 'kms'), args, { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, ms: performance.now() - started });
      });
    });
  }

  async root(): Promise<mysql.Connection> {
    return mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
      multipleStatements: false,
    });
  }

  async query<T = mysql.RowDataPacket[]>(sql: string, parameters: unknown[] = []): Promise<T> {
    const connection = await this.root();
    try {
      await connection.query(`USE \`${this.database}\``);
      const [rows] = await connection.query(sql, parameters);
      return rows as T;
    } finally {
      await connection.end();
    }
  }

  async cleanup(): Promise<void> {
    const connection = await this.root();
    try {
      for (const db of [this.database, ...this.extraDatabases])
        await connection.query(`DROP DATABASE IF EXISTS \`${db}\``);
    } finally {
      await connection.end();
    }
    const config = this.config();
    const session = await MetadataClient.open(config);
    const admin = new TopicAdmin(config, session);
    try {
      const cluster = await session.cluster();
      for (const topic of this.topics) if (cluster.topics.has(topic)) await admin.delete(topic);
    } finally {
      admin.close();
      await session.close();
    }
    for (const topic of this.topics) {
      for (const subject of [`${topic}-value`, `${topic}-key`]) {
        await fetch(`${REGISTRY}/subjects/${subject}`, { method: 'DELETE' }).catch(() => {});
        await fetch(`${REGISTRY}/subjects/${subject}?permanent=true`, { method: 'DELETE' }).catch(() => {});
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** Every record of the topic from offset 0 to the current end offsets. */
export async function consumeAll(config: SinkConfig, topic: string): Promise<ConsumedRecord[]> {
  const session = await MetadataClient.open(config);
  const partitions = (await session.cluster()).topics.get(topic)?.partitions ?? [];
  const ends = new Map<number, number>();
  for (const p of partitions) ends.set(p, await session.endOffset(topic, p));
  await session.close();
  const wanted = [...ends.values()].reduce((a, b) => a + b, 0);
  const consumer = new Kafka.KafkaConsumer(
    {
      'bootstrap.servers': BOOTSTRAP,
      'group.id': `kms-test-reader-${Date.now()}`,
      'enable.auto.commit': false,
      log_level: 0,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve())),
  );
  consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0 })));
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + 30_000;
  try {
    while (out.length < wanted) {
      if (Date.now() > deadline) throw new Error(`consumed ${out.length} of ${wanted} records of ${topic}`);
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) =>
        consumer.consume(1000, (error, messages) => (error ? reject(error) : resolve(messages))),
      );
      for (const m of batch) {
        out.push({
          partition: m.partition,
          offset: Number(m.offset),
          timestamp: m.timestamp,
          key: (m.key as Buffer | undefined) ?? null,
          value: m.value,
        });
      }
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return out;
}

/**
 * What the sink does for these records, without its pipeline: decode, one row per record with the
 * provenance coordinates, and the partition's offset row at last offset + 1.
 */
export async function simulateSink(
  world: ToolsWorld,
  config: SinkConfig,
  topic: string,
  records: readonly ConsumedRecord[],
): Promise<void> {
  const registry = new RegistryClient({ url: REGISTRY });
  const decoder = new RecordDecoder(registry.schemas);
  const table = tableNameFor(config, topic);
  const group = groupIdFor(config, topic);
  const rows: unknown[][] = [];
  let columns: string[] = [];
  const next = new Map<number, number>();
  for (const record of records) {
    const decoded = await decoder.decode(record.value);
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
  for (let i = 0; i < rows.length; i += 500) {
    const insert = insertRows(table, columns, rows.slice(i, i + 500));
    await world.query(insert.sql, [...insert.parameters]);
  }
  for (const [partition, offset] of next) {
    const create = insertOffsetIfAbsent(topic, partition, group, offset, config.sink.offsetsTable);
    await world.query(create.sql, [...create.parameters]);
    const update = updateOffset(topic, partition, group, offset, config.sink.offsetsTable);
    await world.query(update.sql, [...update.parameters]);
  }
}

/** The one-line error contract: exactly one `kms: ...` line, no stack trace, nothing secret. */
export function oneLineError(run: KmsRun): string {
  const lines = run.stderr
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  if (lines.length !== 1 || !lines[0]!.startsWith('kms: ')) {
    throw new Error(`expected one "kms: ..." line on stderr, got:\n${run.stderr}\nstdout:\n${run.stdout}`);
  }
  if (/\n\s+at /.test(run.stderr)) throw new Error(`stack trace on stderr:\n${run.stderr}`);
  return lines[0]!;
}
