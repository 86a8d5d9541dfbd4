import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Producer } from '@platformatic/kafka';
import { SEQUENCED_SCHEMA, SinkScenario } from './helpers/sink-harness.ts';
import { type RawMessage, Sequencer, sequenced } from './helpers/sink-records.ts';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * Records written by transactional producers: the sink reads committed records only (read_committed,
 * the default). Aborted records are never written, transaction markers are no records, and the stored
 * offset moves past both. One transaction is still open while the sink reads the partition: the broker
 * holds its records back (last stable offset) until it is aborted. Each transaction sends its records
 * in one batch.
 */
const scenario = new SinkScenario(2, 1, 'kms_txn');
const [COMMITTED_ONLY, UNCOMMITTED_TOO] = scenario.topics as [string, string];
const ABORTED_SEQ_BASE = 1_000_000;

let producer: Producer;

before(async () => {
  await scenario.setup();
  producer = new Producer({
    clientId: 'kms-test-transactions',
    bootstrapBrokers: [scenario.bootstrap],
    idempotent: true,
    transactionalId: `kms-test-txn-${scenario.database}`,
    acks: -1,
  });
});
after(async () => {
  await producer?.close().catch(() => {});
  await scenario.cleanup();
});

function toPartitionZero(topic: string, records: readonly RawMessage[]) {
  return records.map((r) => ({ topic, partition: 0, key: r.key ?? undefined, value: r.value ?? undefined }));
}

async function inTransaction(
  topic: string,
  records: readonly RawMessage[],
  outcome: 'commit' | 'abort',
): Promise<void> {
  const transaction = await producer.beginTransaction();
  await transaction.send({ messages: toPartitionZero(topic, records) });
  if (outcome === 'commit') await transaction.commit();
  else await transaction.abort();
}

/** Committed records get seq 0, 1, 2…; aborted ones a seq from ABORTED_SEQ_BASE on, so a leak shows. */
async function produceMix(topic: string, during: () => Promise<void>): Promise<{ committed: number; aborted: number }> {
  const schemaId = await scenario.registry.register(`${topic}-value`, SEQUENCED_SCHEMA);
  const committed = new Sequencer(schemaId);
  let abortedCount = 0;
  const aborted = (n: number): RawMessage[] =>
    Array.from({ length: n }, () => sequenced(schemaId, 0, ABORTED_SEQ_BASE + abortedCount++));
  await inTransaction(topic, committed.next(0, 300), 'commit');
  await inTransaction(topic, aborted(120), 'abort');
  await inTransaction(topic, committed.next(0, 200), 'commit');
  // Records of a transaction still open while the sink reads, aborted afterwards.
  const open = await producer.beginTransaction();
  await open.send({ messages: toPartitionZero(topic, aborted(80)) });
  await during();
  await open.abort();
  await inTransaction(topic, committed.next(0, 100), 'commit');
  return { committed: committed.count(0), aborted: abortedCount };
}

async function seqs(topic: string): Promise<number[]> {
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT seq FROM \`${scenario.database}\`.\`${topic}\` ORDER BY _kafka_offset`,
  );
  return rows.map((r) => Number(r.seq));
}

function endOffset(topic: string): Promise<number> {
  return withMetadataClient({ bootstrapServers: scenario.bootstrap }, (kafka) => kafka.endOffset(topic, 0));
}

test('read_committed: aborted records are never written, markers are skipped, the offset moves past both', async () => {
  // One record batch per fetch answer: an abort marker then always comes in a later answer than the
  // records it cancels, which the client alone does not filter.
  const sink = scenario.startSink({ 'sink.batch.linger.ms': 5, 'kafka.consumer.max.partition.fetch.bytes': 1024 });
  const { committed, aborted } = await produceMix(COMMITTED_ONLY, async () => {
    await sink.waitForLog('partitions assigned', (l) => l.msg === 'partitions assigned' && l.topic === COMMITTED_ONLY);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  });
  assert.equal(aborted, 200);
  // The last entry of the partition is the final commit's marker: every record before it is stored.
  const end = await endOffset(COMMITTED_ONLY);
  await scenario.waitForOffsets(COMMITTED_ONLY, () => end - 1, 60_000);
  assert.deepEqual(
    await seqs(COMMITTED_ONLY),
    Array.from({ length: committed }, (_, i) => i),
  );
  assert.equal((await scenario.deadLetters(COMMITTED_ONLY)).length, 0);
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));
});

test('read_uncommitted, when the operator asks for it, writes the aborted records too', async () => {
  const sink = scenario.startSink({ 'kafka.consumer.isolation.level': 'read_uncommitted' }, 'uncommitted');
  const { committed, aborted } = await produceMix(UNCOMMITTED_TOO, async () => {});
  await waitFor(
    `all records of ${UNCOMMITTED_TOO}`,
    async () => (await seqs(UNCOMMITTED_TOO)).length >= committed + aborted,
    {
      timeoutMs: 60_000,
      intervalMs: 250,
    },
  );
  const written = await seqs(UNCOMMITTED_TOO);
  assert.equal(written.filter((s) => s < ABORTED_SEQ_BASE).length, committed);
  assert.equal(written.filter((s) => s >= ABORTED_SEQ_BASE).length, aborted);
  assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));
});
