import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SinkScenario } from './helpers/sink-harness.ts';
import { BOOTSTRAP } from './helpers/services.ts';
import { groupCommittedOffsets } from './helpers/kafka-client.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * The sink also commits its positions to the Kafka group, so standard lag tools see its progress. Only a
 * hint: kafka_offsets stays the truth (the exactly-once tests start from it), and the hint never runs
 * ahead of it. Turned off with kafka.offset.hint.interval.ms=0.
 */
const scenario = new SinkScenario(3, 3, 'kms_hint');
const [hinted, stopped, silent] = scenario.topics as [string, string, string];
const PARTITIONS = [0, 1, 2];
before(() => scenario.setup());
after(() => scenario.cleanup());

const kafkaOffsets = (topic: string): Promise<Map<number, number>> =>
  groupCommittedOffsets(BOOTSTRAP, `group-${topic}`, topic, 3);

/** Waits until the group's committed position of each of `partitions` is `offset`. */
const waitForHint = (what: string, topic: string, partitions: readonly number[], offset: number, timeoutMs: number) =>
  waitFor(
    what,
    async () => {
      const committed = await kafkaOffsets(topic);
      return partitions.every((p) => committed.get(p) === offset);
    },
    { timeoutMs, intervalMs: 200 },
  );

test('committed offsets follow kafka_offsets while running, never ahead of it', async () => {
  await scenario.produceSequenced(hinted, 200);
  const sink = scenario.startSink({ 'kafka.topics': hinted, 'kafka.offset.hint.interval.ms': 200 });
  await scenario.waitForOffsets(hinted, () => 200);
  await waitForHint('the hint reaches 200 on every partition', hinted, PARTITIONS, 200, 20_000);

  // While more records flow, every hint read is at most what MySQL already holds.
  const more = scenario.produceSequenced(hinted, 2_000);
  for (let i = 0; i < 10; i++) {
    const committed = await kafkaOffsets(hinted);
    const stored = await scenario.offsets(hinted);
    for (const p of PARTITIONS) {
      assert.ok(
        (committed.get(p) ?? 0) <= stored.get(p)!,
        `partition ${p}: hint ${committed.get(p)} <= stored ${stored.get(p)}`,
      );
    }
  }
  await more;
  await scenario.waitForOffsets(hinted, () => 2_200);
  assert.equal(await sink.kill('SIGTERM'), 0);
});

test('positions go to Kafka without waiting for a tick when partitions are revoked and when the sink stops', async () => {
  await scenario.produceSequenced(stopped, 300);
  // The first tick would come after 10 minutes: only a revocation or the stop can commit what is read below.
  const settings = { 'kafka.topics': stopped, 'kafka.offset.hint.interval.ms': 600_000 };
  const first = scenario.startSink(settings, 'first');
  await scenario.waitForOffsets(stopped, () => 300);
  assert.deepEqual(await kafkaOffsets(stopped), new Map(), 'nothing committed to Kafka before a revocation or stop');

  const second = scenario.startSink(settings, 'second');
  await first.waitForLog('a partition revoked for the second instance', (line) => line.msg === 'partitions revoked');
  const revoked = first
    .logs()
    .filter((line) => line.msg === 'partitions revoked')
    .flatMap((line) => line.partitions as number[]);
  await waitForHint('the revoked partitions carry their final position', stopped, revoked, 300, 10_000);

  // A rolling stop: the second leaves, the first takes its partition back, then stops too. (Were both to
  // stop during one rebalance, the hint could be refused: it is best effort, kafka_offsets is the truth.)
  await second.waitForLog(
    'the second instance owns a partition',
    (line) => line.msg === 'partitions assigned' && (line.partitions as number[]).length > 0,
  );
  assert.equal(await second.kill('SIGTERM'), 0);
  await waitFor(
    'the first instance owns all partitions again',
    async () => {
      const assigned = first
        .logs()
        .filter((line) => line.msg === 'partitions assigned')
        .flatMap((line) => line.partitions as number[]);
      return assigned.filter((p) => p === 0).length >= 2;
    },
    { timeoutMs: 20_000 },
  );
  assert.equal(await first.kill('SIGTERM'), 0);
  assert.deepEqual(await kafkaOffsets(stopped), new Map(PARTITIONS.map((p) => [p, 300])));
});

test('kafka.offset.hint.interval.ms=0 commits nothing to Kafka', async () => {
  await scenario.produceSequenced(silent, 50);
  const sink = scenario.startSink({ 'kafka.topics': silent, 'kafka.offset.hint.interval.ms': 0 });
  await scenario.waitForOffsets(silent, () => 50);
  assert.equal(await sink.kill('SIGTERM'), 0);
  assert.deepEqual(await kafkaOffsets(silent), new Map());
});
