import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig, type SinkConfig } from '../../src/config/index.ts';
import type { KafkaRecord, PartitionRef, PreparedBatch, RowLayout } from '../../src/core/records.ts';
import { isMariaDb, openBulkPool, type BulkPool } from '../../src/mysql/bulk-pool.ts';
import { createWriterPool, type Pool } from '../../src/mysql/pool.ts';
import { BatchWriter } from '../../src/sink/batch-writer.ts';
import { OffsetStore } from '../../src/sink/offset-store.ts';
import { PROJECT_ROOT } from './helpers/kms-cli.ts';
import { mysqlAdmin } from './helpers/mysql-server.ts';
import { ScratchDatabase } from './helpers/scratch-database.ts';

/**
 * mysql.write.protocol: the bulk protocol writes exactly what the text protocol writes (edge values of
 * every kind), isolates a bad row by splitting, and keeps the offset fence, in one transaction.
 */
const db = new ScratchDatabase();
const COLUMNS = ['id', 'dec', 'big', 'ubig', 'ts', 'raw', 'txt', 'dbl', 'short'];
const TABLE_DDL = (table: string) =>
  `CREATE TABLE \`${table}\` (id INT NOT NULL PRIMARY KEY, \`dec\` DECIMAL(38,10) NULL, big BIGINT NULL, ` +
  'ubig BIGINT UNSIGNED NULL, ts DATETIME(6) NULL, raw VARBINARY(64) NULL, ' +
  'txt VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL, dbl DOUBLE NULL, short VARCHAR(4) NULL)';

/** Edge values as the column model hands them over: strings for decimals, bigints past 2^53, Buffers. */
const ROWS: unknown[][] = [
  [
    1,
    '12345678901234567890123456.1234567890',
    9223372036854775807n,
    18446744073709551615n,
    '2024-02-29 23:59:59.999999',
    Buffer.from([0, 255, 10, 39, 92]),
    'emoji 😀 ü \' " \\ \0',
    1.5e-300,
    'ok',
  ],
  [2, '-0.0000000001', -9223372036854775808n, 0, '1970-01-01 00:00:00.000001', Buffer.alloc(0), '', -0, null],
  [3, null, 9007199254740993n, 9007199254740993n, null, null, null, null, 'abcd'],
  [4, '0', 0, 1, '9999-12-31 23:59:59.999999', Buffer.from('é', 'utf8'), '\t\n\r', 123456789.125, ''],
];

function configFor(protocol: 'text' | 'bulk', extra: readonly string[] = []): SinkConfig {
  const admin = mysqlAdmin();
  return loadConfig({
    file: join(PROJECT_ROOT, 'config', 'sink.properties'),
    overrides: [
      `mysql.url=jdbc:mysql://${admin.host}:${admin.port}/${db.name}`,
      `mysql.username=${admin.user}`,
      `mysql.password=${admin.password}`,
      `mysql.write.protocol=${protocol}`,
      ...extra,
    ],
  });
}

function batchOf(table: string, rows: readonly unknown[][], firstOffset: number): PreparedBatch {
  const layout: RowLayout = { table, columns: COLUMNS, keyColumns: [], keyIndexes: [] };
  const operations = rows.map((values, i) => {
    const record: KafkaRecord = {
      topic: table,
      partition: 0,
      offset: firstOffset + i,
      timestamp: 0,
      key: null,
      value: Buffer.from(`r${i}`),
    };
    return { kind: 'write' as const, record, layout, values: [...values] };
  });
  return { operations, deadLetters: [], count: rows.length, lastOffset: firstOffset + rows.length - 1 };
}

async function writerFor(
  protocol: 'text' | 'bulk',
): Promise<{ pool: Pool; writer: BatchWriter; offsets: OffsetStore }> {
  const config = configFor(protocol);
  const pool = createWriterPool(config);
  const offsets = new OffsetStore(pool, config.sink.offsetsTable, config.sink.deadLetterTable);
  await offsets.ensureTables();
  const writer = new BatchWriter(pool, offsets, 'insert', 'all', { openBulk: () => openBulkPool(config, pool) });
  return { pool, writer, offsets };
}

before(async () => {
  await db.create();
});
after(async () => {
  await db.drop();
});

test('bulk writes exactly what text writes: decimals, ±2^63, unsigned 2^64-1, DATETIME(6), bytes, utf8mb4', async (t) => {
  const admin = await db.admin();
  if (!(await isMariaDb(admin))) return t.skip('the bulk protocol is MariaDB only');
  const snapshots: unknown[] = [];
  for (const protocol of ['text', 'bulk'] as const) {
    const table = `edge_${protocol}`;
    await db.query(TABLE_DDL(table));
    const { pool, writer, offsets } = await writerFor(protocol);
    try {
      const ref: PartitionRef = { topic: table, partition: 0, group: 'g' };
      assert.equal(await offsets.claim(ref, 0), 0);
      const result = await writer.commit(ref, 0, batchOf(table, ROWS, 0));
      assert.deepEqual(result, { kind: 'committed', nextOffset: 4, rows: 4, deadLetters: 0 });
      assert.equal(await writer.protocol(), protocol);
      // A stale owner is fenced on both protocols, and writes nothing.
      assert.deepEqual(await writer.commit(ref, 0, batchOf(table, ROWS, 0)), { kind: 'fenced', stored: 4 });
    } finally {
      await writer.close();
      await pool.end();
    }
    snapshots.push(
      await db.query(
        `SELECT id, CAST(\`dec\` AS CHAR) d, CAST(big AS CHAR) b, CAST(ubig AS CHAR) u, ` +
          `CAST(ts AS CHAR) ts, HEX(raw) raw, HEX(txt) txt, dbl, short FROM \`${table}\` ORDER BY id`,
      ),
    );
  }
  assert.deepEqual(snapshots[1], snapshots[0]);
  assert.deepEqual(
    (snapshots[0] as { b: string; u: string; d: string; ts: string }[]).map((r) => [r.d, r.b, r.u, r.ts]),
    [
      [
        '12345678901234567890123456.1234567890',
        '9223372036854775807',
        '18446744073709551615',
        '2024-02-29 23:59:59.999999',
      ],
      ['-0.0000000001', '-9223372036854775808', '0', '1970-01-01 00:00:00.000001'],
      [null, '9007199254740993', '9007199254740993', null],
      ['0.0000000000', '0', '1', '9999-12-31 23:59:59.999999'],
    ],
  );
});

test('bulk isolates a row strict mode rejects inside a batch: dead-lettered, the rest written once, offset moved', async (t) => {
  const admin = await db.admin();
  if (!(await isMariaDb(admin))) return t.skip('the bulk protocol is MariaDB only');
  const table = 'split_bulk';
  await db.query(TABLE_DDL(table));
  const { pool, writer, offsets } = await writerFor('bulk');
  try {
    const ref: PartitionRef = { topic: table, partition: 0, group: 'g' };
    await offsets.claim(ref, 0);
    const rows = Array.from({ length: 50 }, (_, i) => [i, '1.5', i, i, '2020-01-01 00:00:00', null, `t${i}`, i, 'x']);
    rows[17]![8] = 'too long for VARCHAR(4)';
    rows[40]![2] = '99999999999999999999'; // past BIGINT
    const result = await writer.commit(ref, 0, batchOf(table, rows, 100));
    assert.equal(result.kind, 'committed');
    assert.equal(result.kind === 'committed' && result.rows, 48);
    assert.deepEqual(result.kind === 'committed' && result.rejected?.map((r) => [r.record.offset, r.kind]), [
      [117, 'VALUE_REJECTED'],
      [140, 'VALUE_REJECTED'],
    ]);
    const ids = (await db.query<{ id: number }[]>(`SELECT id FROM \`${table}\` ORDER BY id`)).map((r) => r.id);
    assert.deepEqual(
      ids,
      Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 17 && i !== 40),
    );
    assert.equal(await offsets.read(ref), 150);
  } finally {
    await writer.close();
    await pool.end();
  }
});

/** The statement counters of the bulk pool's one session (`SHOW SESSION STATUS` counts only its own statements). */
async function sessionCounts(bulk: BulkPool): Promise<Record<string, number>> {
  const connection = await bulk.getConnection();
  try {
    const [rows] = (await connection.query(
      "SHOW SESSION STATUS WHERE Variable_name IN ('Com_begin', 'Com_savepoint', 'Com_commit', 'Com_rollback', 'Com_update')",
    )) as unknown as [{ Variable_name: string; Value: string }[]];
    return Object.fromEntries(rows.map((row) => [row.Variable_name.toLowerCase(), Number(row.Value)]));
  } finally {
    connection.release();
  }
}

function countsSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, value]) => [name, value - (before[name] ?? 0)]));
}

test('a clean bulk batch is fence, rows, COMMIT (no BEGIN, no savepoint); a rejected row re-runs it behind savepoints', async (t) => {
  const admin = await db.admin();
  if (!(await isMariaDb(admin))) return t.skip('the bulk protocol is MariaDB only');
  const table = 'round_trips_bulk';
  await db.query(TABLE_DDL(table));
  // One connection, so the batch and the counters share a session.
  const config = configFor('bulk', ['mysql.maxPoolSize=1']);
  const pool = createWriterPool(config);
  const bulk = await openBulkPool(config, pool);
  assert.ok(bulk, 'MariaDB: bulk pool opened');
  const offsets = new OffsetStore(pool, config.sink.offsetsTable, config.sink.deadLetterTable);
  const writer = new BatchWriter(pool, offsets, 'insert', 'all', { openBulk: async () => bulk });
  try {
    await offsets.ensureTables();
    const ref: PartitionRef = { topic: table, partition: 0, group: 'g' };
    await offsets.claim(ref, 0);
    const clean = Array.from({ length: 20 }, (_, i) => [i, '1', i, i, null, null, `t${i}`, i, 'x']);
    let before = await sessionCounts(bulk);
    assert.equal((await writer.commit(ref, 0, batchOf(table, clean, 0))).kind, 'committed');
    assert.deepEqual(countsSince(before, await sessionCounts(bulk)), {
      com_begin: 0,
      com_commit: 1,
      com_rollback: 0,
      com_savepoint: 0,
      com_update: 1,
    });

    const poisoned = Array.from({ length: 20 }, (_, i) => [100 + i, '1', i, i, null, null, `t${i}`, i, 'x']);
    poisoned[5]![8] = 'too long for VARCHAR(4)';
    before = await sessionCounts(bulk);
    const result = await writer.commit(ref, 20, batchOf(table, poisoned, 20));
    assert.equal(result.kind === 'committed' && result.rows, 19);
    const spent = countsSince(before, await sessionCounts(bulk));
    // The unguarded try is rolled back whole; the re-run moves the offset again and splits behind savepoints.
    assert.equal(spent.com_begin, 0);
    assert.equal(spent.com_update, 2);
    assert.equal(spent.com_commit, 1);
    assert.ok(spent.com_savepoint! >= 2, `savepoints on the re-run: ${JSON.stringify(spent)}`);
    assert.ok(spent.com_rollback! >= 1, `the unguarded try rolled back: ${JSON.stringify(spent)}`);
    assert.equal(await offsets.read(ref), 40);
    const ids = (await db.query<{ id: number }[]>(`SELECT id FROM \`${table}\` ORDER BY id`)).map((r) => r.id);
    assert.equal(ids.length, 39);
    assert.ok(!ids.includes(105), 'the rejected row is not written');
  } finally {
    await writer.close();
    await pool.end();
  }
});
