import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import { encodeWire } from '../fixtures/wire-format.ts';
import { groupIdFor } from '../../src/config/index.ts';
import type { KafkaRecord, PreparedBatch } from '../../src/core/records.ts';
import { RecordPreparer } from '../../src/pipeline/record-preparer.ts';
import { BatchWriter } from '../../src/sink/batch-writer.ts';
import { openBulkPool } from '../../src/mysql/bulk-pool.ts';
import type { PartitionRef } from '../../src/core/records.ts';
import { OffsetStore } from '../../src/sink/offset-store.ts';
import { createWriterPool, type Pool } from '../../src/mysql/pool.ts';
import { isTransientDbError } from '../../src/mysql/errno.ts';
import { TableManager } from '../../src/sink/table-manager.ts';
import { SEQUENCED_SCHEMA, SinkScenario, type SinkProcess } from './helpers/sink-harness.ts';
import {
  assertExactlyOnce,
  linesWith,
  openTransactions,
  ownership,
  produceInBackground,
  signal,
  tails,
  waitForAllPartitions,
  waitForAllProduced,
} from './helpers/sink-checks.ts';
import { waitFor } from './helpers/wait.ts';
import { rootConnection } from './helpers/services.ts';

/**
 * The offset check is what makes a stale writer harmless (docs/exactly-once.md): a batch commits only
 * if kafka_offsets still holds the offset its pipeline last committed or read. Proven on the writer
 * directly (stale expected offset, a retried batch whose COMMIT answer was lost, two writers at once),
 * then end to end with a zombie instance frozen past its session timeout while another takes over.
 */
const FENCED = 'offset moved by another writer; batch rolled back, continuing from the stored offset';
const direct = new SinkScenario(1, 1, 'kms_fence');
const zombie = new SinkScenario(1, 3, 'kms_zombie');
const zombieAhead = new SinkScenario(1, 3, 'kms_zombie');

before(async () => {
  await direct.setup();
  await zombie.setup();
  await zombieAhead.setup();
});
after(async () => {
  await direct.cleanup();
  await zombie.cleanup();
  await zombieAhead.cleanup();
});

/** The writer a sink process builds, on its own pool, against the `direct` scenario's database. */
async function directWriter(): Promise<{
  pool: Pool;
  offsets: OffsetStore;
  writer: BatchWriter;
  prepare: (from: number, to: number) => Promise<PreparedBatch>;
  ref: PartitionRef;
}> {
  const topic = direct.topics[0]!;
  const config = direct.config({ 'mysql.maxPoolSize': 4 });
  const pool = createWriterPool(config);
  const offsets = new OffsetStore(pool, config.sink.offsetsTable, config.sink.deadLetterTable);
  await offsets.ensureTables();
  const tables = new TableManager(pool, { autoCreate: true, autoEvolve: true, provenance: true });
  // As the sink builds it: mysql.write.protocol (e.g. KMS_MYSQL_WRITE_PROTOCOL=bulk) picks the protocol.
  const writer = new BatchWriter(pool, offsets, config.sink.insertMode, config.errors.tolerance, {
    openBulk: () => openBulkPool(config, pool),
  });
  const schemaId = await direct.registry.register(`${topic}-value`, SEQUENCED_SCHEMA);
  const type = parseAvroSchema(SEQUENCED_SCHEMA);
  const preparer = new RecordPreparer(direct.registry.schemas, {
    table: topic,
    model: { stringType: config.sink.stringType, provenance: true },
    key: { mode: 'kafka', fields: [], format: 'avro', primitiveColumn: 'kafka_key', deletes: false },
    ensureTable: (name, model) => tables.ensure(name, model),
    deletableTable: (name, keyColumns) => tables.deletable(name, keyColumns),
    tolerance: 'all',
  });
  const prepare = (from: number, to: number): Promise<PreparedBatch> =>
    preparer.prepare(
      Array.from({ length: to - from }, (_, i): KafkaRecord => {
        const seq = from + i;
        const key = `p0-${seq}`;
        return {
          topic,
          partition: 0,
          offset: seq,
          timestamp: Date.now(),
          key: Buffer.from(key),
          value: encodeWire(
            schemaId,
            type.toBuffer({ key_field: key, seq, produced_at: Date.now(), note: `seq=${seq}`, amount: seq / 7 }),
          ),
        };
      }),
    );
  return { pool, offsets, writer, prepare, ref: { topic, partition: 0, group: groupIdFor(config, topic) } };
}

test('the writer: a stale expected offset, a retried batch whose COMMIT answer was lost, two writers at once', async () => {
  const topic = direct.topics[0]!;
  const { pool, offsets, writer, prepare, ref } = await directWriter();
  try {
    assert.equal(await offsets.claim(ref, 0), 0, 'a new partition starts at the earliest offset');
    const first = await prepare(0, 10);
    assert.deepEqual(await writer.commit(ref, 0, first), {
      kind: 'committed',
      nextOffset: 10,
      rows: 10,
      deadLetters: 0,
    });

    // (a) A writer that still believes the offset is 0 (taken over, or a zombie): rejected, nothing written.
    const stale = await prepare(10, 20);
    assert.deepEqual(await writer.commit(ref, 0, stale), { kind: 'fenced', stored: 10 });
    assert.deepEqual(
      (await direct.tableState(topic)).get(0),
      { rows: 10, distinct: 10, ordered: true, maxSeq: 9 },
      'only the first batch',
    );
    assert.equal((await direct.offsets(topic)).get(0), 10);

    // (c) COMMIT succeeded but its answer was lost: the retry of the same batch with the old expected
    // offset finds the offset moved and writes nothing twice.
    assert.deepEqual(await writer.commit(ref, 0, first), { kind: 'fenced', stored: 10 });
    assert.deepEqual(
      (await direct.tableState(topic)).get(0),
      { rows: 10, distinct: 10, ordered: true, maxSeq: 9 },
      'no duplicate',
    );

    // Resynchronised at the stored offset, the writer goes on.
    assert.deepEqual(await writer.commit(ref, 10, stale), {
      kind: 'committed',
      nextOffset: 20,
      rows: 10,
      deadLetters: 0,
    });

    // Two owners at once for a moment: the row lock serialises them, exactly one commits.
    const [x, y] = await Promise.all([prepare(20, 30), prepare(20, 30)]);
    const results = await Promise.all([writer.commit(ref, 20, x), writer.commit(ref, 20, y)]);
    assert.deepEqual(results.map((r) => r.kind).sort(), ['committed', 'fenced'], JSON.stringify(results));
    assert.deepEqual(
      results.find((r) => r.kind === 'fenced'),
      { kind: 'fenced', stored: 30 },
    );

    assert.deepEqual((await direct.tableState(topic)).get(0), { rows: 30, distinct: 30, ordered: true, maxSeq: 29 });
    assert.equal((await direct.offsets(topic)).get(0), 30);
    assert.equal((await direct.deadLetters(topic)).length, 0);
  } finally {
    await writer.close();
    await pool.end();
  }
});

/**
 * The fence is the batch's first statement, a conditional UPDATE of the offset row. One that times out
 * on the row lock (another transaction holds it) is a transient error: nothing is written, the offset
 * stays, and the same batch commits once the lock is gone.
 */
test('the writer: a fence that times out on the row lock writes nothing, then the same batch commits', async () => {
  const topic = direct.topics[0]!;
  const { pool, offsets, writer, prepare, ref } = await directWriter();
  const locker = await rootConnection(direct.database);
  try {
    const start = await offsets.claim(ref, 0);
    assert.equal(await writer.protocol(), 'text', 'nothing written yet');
    const before = (await direct.tableState(topic)).get(0);
    await locker.query('START TRANSACTION');
    await locker.query(`SELECT * FROM kafka_offsets WHERE topic = ? FOR UPDATE`, [topic]);
    const batch = await prepare(start, start + 10);
    await assert.rejects(writer.commit(ref, start, batch), (error: unknown) => {
      assert.ok(isTransientDbError(error), `a lock wait timeout is retried: ${String(error)}`);
      return true;
    });
    await locker.query('ROLLBACK');
    assert.equal(await writer.protocol(), 'bulk', 'the batch went through the bulk connection');
    assert.deepEqual((await direct.tableState(topic)).get(0), before, 'no row of the timed-out batch');
    assert.equal((await direct.offsets(topic)).get(0), start);

    assert.deepEqual(await writer.commit(ref, start, batch), {
      kind: 'committed',
      nextOffset: start + 10,
      rows: 10,
      deadLetters: 0,
    });
  } finally {
    await locker.end();
    await writer.close();
    await pool.end();
  }
});

/**
 * SIGSTOP at a moment the sink holds no row lock (no open transaction): a frozen owner inside a
 * transaction would keep its row lock and block the new owner until it is thawed, which is a
 * different case (the zombie then legitimately finishes the batch it had locked).
 */
async function freezeOutsideTransactions(scenario: SinkScenario, sink: SinkProcess): Promise<number> {
  for (let attempt = 1; attempt <= 200; attempt++) {
    signal(sink, 'SIGSTOP');
    if ((await openTransactions(scenario)).length === 0) return attempt;
    signal(sink, 'SIGCONT');
    // Short thaws: the sink runs only while thawed, so its backlog outlasts many tries.
    await sleep(2 + Math.random() * 18);
  }
  throw new Error(`${sink.name} was inside a transaction at every one of 200 tries`);
}

/**
 * A owns every partition and has a backlog queued; it is frozen past its session timeout, B takes
 * over and writes; then A is thawed. `bAhead`: thaw only once B has written everything produced so
 * far, i.e. past all A had fetched (a fenced pipeline that still owns its partition re-seeks; one that
 * lost it must not touch it) instead of into A's queue (A drops what B already wrote).
 */
async function zombieScenario(t: TestContext, scenario: SinkScenario, bAhead: boolean): Promise<void> {
  const topic = scenario.topics[0]!;
  // Small batches and a backlog: A is still busy (records queued) when it is frozen.
  const settings = { 'sink.batch.max.records': 50, 'kafka.session.timeout.ms': 6000 };
  await scenario.produceSequenced(topic, 20_000);
  const producing = produceInBackground(scenario, 20, 100);
  let a: SinkProcess | undefined, b: SinkProcess | undefined;
  try {
    // One connection for A's three pipelines: whenever A is frozen outside a transaction, at least two
    // of them are past the point of no return (batch prepared, waiting for the connection), so A tries
    // stale batches after the thaw whether or not it has learnt of the lost assignment by then.
    a = scenario.startSink({ ...settings, 'mysql.maxPoolSize': 1 }, 'A');
    await waitForAllPartitions(scenario, a, 60_000);
    await scenario.waitForOffsets(topic, () => 1, 60_000);
    const attempts = await freezeOutsideTransactions(scenario, a);
    const frozenAt = await scenario.offsets(topic);
    const producedAtFreeze = [0, 1, 2].map((p) => scenario.produced(topic, p));
    t.diagnostic(`A frozen (try ${attempts}) at offsets ${JSON.stringify(Object.fromEntries(frozenAt))}`);
    for (let p = 0; p < 3; p++) {
      assert.ok(frozenAt.get(p)! < producedAtFreeze[p]!, `A still had records of partition ${p} to write when frozen`);
    }

    // B joins; the group waits for A's session to time out, then B owns everything and writes.
    b = scenario.startSink(settings, 'B');
    await waitForAllPartitions(scenario, b, 60_000);
    await scenario.waitForOffsets(topic, (p) => (bAhead ? producedAtFreeze[p]! : frozenAt.get(p)! + 1), 60_000);
    assert.equal(linesWith(a, FENCED).length, 0, 'a frozen A did nothing');

    // Thawed, A still believes it owns the partitions: whatever batch it tries with its stale offset
    // is rolled back by the offset check.
    signal(a, 'SIGCONT');
    await a
      .waitForLog('A losing its assignment', (l) => l.msg === 'partitions lost', 30_000)
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\n${tails([a!, b!])}`);
      });
    // A rejoins and the two share the partitions again.
    await waitFor(
      'every partition owned by exactly one of A and B',
      () => {
        const ownedA = ownership(a!).get(topic) ?? new Set<number>();
        const ownedB = ownership(b!).get(topic) ?? new Set<number>();
        return [0, 1, 2].every((p) => ownedA.has(p) !== ownedB.has(p));
      },
      { timeoutMs: 60_000 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${tails([a!, b!])}`);
    });
  } finally {
    await producing.stop();
  }
  await waitForAllProduced(scenario, 90_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${tails([a!, b!])}`);
  });
  assert.equal(await a.kill('SIGTERM'), 0, tails([a]));
  assert.equal(await b.kill('SIGTERM'), 0, tails([b]));

  // Every batch A tried after the thaw with a stale offset was fenced: the stored offset had moved ahead.
  const fenced = linesWith(a, FENCED);
  t.diagnostic(
    `A fenced ${fenced.length} time(s): ${JSON.stringify(fenced.map((l) => ({ partition: l.partition, expected: l.expected, stored: l.stored })))}`,
  );
  assert.ok(fenced.length > 0, `A tried at least one batch after the thaw and it was rejected\n${tails([a])}`);
  for (const line of fenced) {
    assert.equal(line.level, 'WARN');
    assert.ok(
      Number(line.stored) > Number(line.expected),
      `the stored offset had moved ahead of A: ${JSON.stringify(line)}`,
    );
  }
  await assertExactlyOnce(scenario, 'after the zombie came back');
  for (const sink of [a, b])
    assert.ok(!sink.logs().some((l) => l.level === 'ERROR'), `${sink.name} logged an ERROR\n${tails([sink])}`);
}

test('a zombie thawed while the new owner writes inside its queued range: its batches are fenced, exactly once', (t) =>
  zombieScenario(t, zombie, false));

test('a zombie thawed after the new owner passed all it had fetched: its batches are fenced, exactly once', (t) =>
  zombieScenario(t, zombieAhead, true));
