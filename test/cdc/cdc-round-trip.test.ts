import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import type { QueryRunner, ResultRow } from '../../src/mysql/pool.ts';
import { CdcSource } from '../integration/helpers/cdc-source.ts';
import { deleteTopic } from '../integration/helpers/kafka-client.ts';
import { describeRun, runKms } from '../integration/helpers/kms-cli.ts';
import { BOOTSTRAP, REGISTRY } from '../integration/helpers/services.ts';
import { SinkScenario } from '../integration/helpers/sink-harness.ts';
import { uniqueName } from '../integration/helpers/unique.ts';
import { waitFor } from '../integration/helpers/wait.ts';

/**
 * A real change data capture round trip, against software nobody here wrote: a MariaDB source (a second
 * server of the project, row-based binlog) → Kafka Connect with Debezium's MariaDB source connector →
 * Avro through Apicurio's converter (Confluent wire format) → this sink → the target database. Two
 * connectors read the same table: one writes the raw change-event envelope (sink.cdc.format=debezium),
 * one flattens it with ExtractNewRecordState (deletes as tombstones, sink.delete.enabled=true). Inserts,
 * updates and deletes (a key deleted and inserted again among them) run while both sinks are killed with
 * SIGKILL and restarted; at the end both target tables hold exactly the source table's rows, and every
 * partition's committed offset is its end offset, with no dead letter.
 *
 * Run with `./kms test --cdc` (Java, Maven; the first run downloads Kafka Connect and the connector).
 */
const source = new CdcSource();
const target = new SinkScenario(0, 1, 'kms_cdcrt');
const database = uniqueName('kms_src');
const rawPrefix = uniqueName('kms_cdcraw');
const flatPrefix = uniqueName('kms_cdcflat');
const rawTopic = `${rawPrefix}.${database}.items`;
const flatTopic = `${flatPrefix}.${database}.items`;

before(async () => {
  await target.setup();
  await source.start();
});
after(async () => {
  await target.cleanup();
  await source.admin.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
  await source.stop();
  for (const topic of [rawTopic, flatTopic]) {
    await deleteTopic(BOOTSTRAP, topic).catch(() => undefined);
    for (const subject of [`${topic}-key`, `${topic}-value`]) {
      await fetch(`${REGISTRY}/subjects/${subject}`, { method: 'DELETE' }).catch(() => undefined);
      await fetch(`${REGISTRY}/subjects/${subject}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
    }
  }
});

const COLUMNS = ['id', 'name', 'price', 'qty', 'flag', 'born', 'seen', 'took', 'note', 'kind', 'doc', 'bin'];

/** Values of row `id` in its `version`: Korean text, ±2^63, microseconds, long text, bytes. */
function values(id: number, version: number): unknown[] {
  const extreme = id % 5 === 0 ? '9223372036854775807' : id % 5 === 1 ? '-9223372036854775808' : String(id * 1000);
  return [
    id,
    id % 3 === 0 ? null : `${id % 2 === 0 ? '사과' : 'pear'}-${id}-v${version}`,
    ((id * 125 + version * 7) / 100).toFixed(2),
    extreme,
    (id + version) % 2,
    `20${10 + (id % 15)}-0${1 + (id % 9)}-${10 + (version % 18)}`,
    `2024-01-31 13:45:${String(id % 60).padStart(2, '0')}.${String(id * 1009 + version)
      .padStart(6, '0')
      .slice(-6)}`,
    `${id % 2 === 0 ? '-' : ''}${String(id % 30).padStart(2, '0')}:0${version % 6}:01.000${String(id).padStart(3, '0').slice(-3)}`,
    'x'.repeat((id * 37 + version) % 600),
    (id + version) % 2 === 0 ? 'a' : 'bb',
    JSON.stringify({ id, version, tags: ['é', 1.5] }),
    Buffer.from([id % 256, version % 256, 0, 255]),
  ];
}

const insert = (id: number, version = 0): Promise<unknown> =>
  source.admin.query(
    `INSERT INTO \`${database}\`.items (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
    values(id, version),
  );
const update = (id: number, version: number): Promise<unknown> => {
  const [, ...rest] = values(id, version);
  return source.admin.query(
    `UPDATE \`${database}\`.items SET ${COLUMNS.slice(1)
      .map((c) => `${c} = ?`)
      .join(', ')} WHERE id = ?`,
    [...rest, id],
  );
};
const remove = (id: number): Promise<unknown> =>
  source.admin.query(`DELETE FROM \`${database}\`.items WHERE id = ?`, [id]);

/** Every row as text, in key order: the same query reads the source and both targets. */
async function rowsOf(runner: QueryRunner, db: string, table: string): Promise<string[]> {
  const select = COLUMNS.map((c) => (c === 'bin' ? `HEX(${c})` : `CAST(${c} AS CHAR)`)).join(', ');
  const [rows] = await runner.query<ResultRow[]>(`SELECT ${select} FROM \`${db}\`.\`${table}\` ORDER BY id`);
  return rows.map((row) => JSON.stringify(Object.values(row)));
}

async function endOffset(topic: string): Promise<number> {
  return withMetadataClient({ bootstrapServers: BOOTSTRAP }, (kafka) => kafka.endOffset(topic, 0));
}

const COMMON = {
  'sink.pk.mode': 'record_key',
  'sink.insert.mode': 'upsert',
  'sink.provenance.columns': 'false',
  'sink.batch.max.records': 7,
};
const RAW = { ...COMMON, 'kafka.topics': rawTopic, 'sink.table.template': 'items_raw', 'sink.cdc.format': 'debezium' };
const FLAT = {
  ...COMMON,
  'kafka.topics': flatTopic,
  'sink.table.template': 'items_flat',
  'sink.delete.enabled': 'true',
};

test('MariaDB → Debezium (raw and flattened) → Kafka → sink: the target tables equal the source, across a SIGKILL', async () => {
  await source.admin.query(`CREATE DATABASE \`${database}\``);
  await source.admin.query(
    `CREATE TABLE \`${database}\`.items (
       id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(12,2) NOT NULL, qty BIGINT NOT NULL,
       flag TINYINT(1) NOT NULL, born DATE, seen DATETIME(6) NOT NULL, took TIME(6), note TEXT NOT NULL,
       kind ENUM('a','bb') NOT NULL, doc JSON, bin VARBINARY(16)
     ) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  );
  for (let id = 1; id <= 40; id++) await insert(id); // the snapshot (op r)
  // Connector names are new every run: Connect keeps a connector's binlog position under its name.
  await source.capture(rawPrefix, rawPrefix, database, ['items'], false);
  await source.capture(flatPrefix, flatPrefix, database, ['items'], true);

  // The snapshot is in both topics before the sinks start (they subscribe to topics that exist).
  await waitFor(
    'the snapshot in both topics',
    async () => (await endOffset(rawTopic).catch(() => 0)) >= 40 && (await endOffset(flatTopic).catch(() => 0)) >= 40,
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  let raw = target.startSink(RAW, 'raw');
  let flat = target.startSink(FLAT, 'flat');
  // Streaming changes (op c, u, d) while the sinks run.
  for (let id = 41; id <= 70; id++) await insert(id);
  for (let id = 1; id <= 30; id += 2) await update(id, 1);
  for (let id = 2; id <= 20; id += 3) await remove(id);
  await waitFor(
    'both sinks committed part of their topic',
    async () => {
      const offsets = [...(await target.offsets(rawTopic)).values(), ...(await target.offsets(flatTopic)).values()];
      return offsets.length === 2 && offsets.every((o) => o >= 40);
    },
    { timeoutMs: 120_000 },
  ).catch((error: Error) => {
    const problems = [...raw.logs(), ...flat.logs()].filter((line) => line.level === 'ERROR' || line.level === 'WARN');
    throw new Error(`${error.message}; sink problems: ${JSON.stringify(problems.slice(0, 5))}`);
  });
  assert.equal(await raw.kill('SIGKILL'), null);
  assert.equal(await flat.kill('SIGKILL'), null);

  // Changes while the sinks are down: more updates, deletes, a deleted key inserted again.
  for (let id = 31; id <= 60; id += 2) await update(id, 2);
  for (let id = 41; id <= 50; id++) await remove(id);
  await insert(2, 3);
  await insert(44, 3);
  await update(44, 4);
  raw = target.startSink(RAW, 'raw-again');
  flat = target.startSink(FLAT, 'flat-again');
  for (let id = 71; id <= 80; id++) await insert(id);
  await remove(80);

  const expected = await rowsOf(source.admin, database, 'items');
  await waitFor(
    'both target tables equal the source table',
    async () =>
      JSON.stringify(await rowsOf(target.admin, target.database, 'items_raw').catch(() => [])) ===
        JSON.stringify(expected) &&
      JSON.stringify(await rowsOf(target.admin, target.database, 'items_flat').catch(() => [])) ===
        JSON.stringify(expected),
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
  assert.equal(expected.length, 80 - 7 - 10 + 2 - 1);
  assert.deepEqual(await rowsOf(target.admin, target.database, 'items_raw'), expected);
  assert.deepEqual(await rowsOf(target.admin, target.database, 'items_flat'), expected);
  for (const topic of [rawTopic, flatTopic]) {
    const end = await endOffset(topic);
    await target.waitForOffsets(topic, () => end, 60_000);
    assert.deepEqual(await target.offsets(topic), new Map([[0, end]]), `${topic}: committed = end offset`);
    assert.deepEqual(await target.deadLetters(topic), [], `${topic}: no dead letter`);
  }
  assert.equal(await raw.kill('SIGTERM'), 0);
  assert.equal(await flat.kill('SIGTERM'), 0);
  for (const settings of [RAW, FLAT]) {
    const args = ['verify', ...target.sets(settings)];
    const result = await runKms(args, {}, { timeoutMs: 60_000 });
    assert.equal(result.code, 0, describeRun(args, result));
    assert.match(result.stdout, /PASS: 1\/1 partitions match/);
  }
});
