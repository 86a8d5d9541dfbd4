import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { SEQUENCED_SCHEMA, SinkScenario, useScenarios } from './helpers/sink-harness.ts';
import { type RawMessage, sequenced } from './helpers/sink-records.ts';
import { describeRun, runKms } from './helpers/kms-cli.ts';
import { waitForSomeCommitted } from './helpers/sink-checks.ts';

/**
 * `sink.pk.fields` + `sink.insert.mode=upsert`: the table is keyed on record fields and keeps the
 * latest record per key, still exactly once per offset (the offset row moves in the same transaction).
 * A key the schema cannot provide, or a table keyed differently, stops the partition with a clear error.
 */
const KEYS_PER_PARTITION = 20;
const keyed = new SinkScenario(1, 3, 'kms_upsert');
const misconfigured = new SinkScenario(2, 1, 'kms_upsert');
useScenarios(keyed, misconfigured);

const UPSERT = { 'sink.insert.mode': 'upsert', 'sink.pk.fields': 'key_field' };

/** Records seq first..first+count-1 of every partition; record seq carries key `p<partition>-k<seq mod 20>`. */
async function produceKeyed(scenario: SinkScenario, topic: string, first: number, count: number): Promise<void> {
  const schemaId = await scenario.registry.register(`${topic}-value`, SEQUENCED_SCHEMA);
  const messages: RawMessage[] = [];
  for (let partition = 0; partition < scenario.partitions; partition++) {
    for (let seq = first; seq < first + count; seq++) {
      messages.push(sequenced(schemaId, partition, seq, { key_field: `p${partition}-k${seq % KEYS_PER_PARTITION}` }));
    }
  }
  await scenario.produceRaw(topic, messages);
}

test('upsert on sink.pk.fields keeps the latest record per key, exactly once across a SIGKILL', async () => {
  const topic = keyed.topics[0]!;
  await produceKeyed(keyed, topic, 0, 300);
  const first = keyed.startSink({ ...UPSERT, 'sink.batch.max.records': 50 }, 'first');
  await waitForSomeCommitted(keyed, topic, 100);
  assert.equal(await first.kill('SIGKILL'), null);
  await produceKeyed(keyed, topic, 300, 300);
  const second = keyed.startSink({ ...UPSERT, 'sink.batch.max.records': 50 }, 'second');
  await keyed.waitForOffsets(topic, () => 600, 60_000);
  assert.equal(await second.kill('SIGTERM'), 0);

  const [rows] = await keyed.admin.query<ResultRow[]>(
    `SELECT key_field, seq, _kafka_partition AS p, _kafka_offset AS o FROM \`${keyed.database}\`.\`${topic}\` ORDER BY _kafka_partition, key_field`,
  );
  assert.equal(rows.length, keyed.partitions * KEYS_PER_PARTITION, 'one row per key');
  for (const row of rows) {
    const k = Number(/-k(\d+)$/.exec(String(row.key_field))![1]);
    const latest = 600 - KEYS_PER_PARTITION + k;
    assert.equal(row.key_field, `p${row.p}-k${k}`, 'a key stays in its partition');
    assert.equal(Number(row.seq), latest, `${row.key_field} holds its latest record`);
    assert.equal(Number(row.o), latest, `${row.key_field} points at that record's offset`);
  }
  const [[table]] = await keyed.admin.query<ResultRow[]>(`SHOW CREATE TABLE \`${keyed.database}\`.\`${topic}\``);
  assert.match(String(table!['Create Table']), /PRIMARY KEY \(`key_field`\)/);
  assert.match(String(table!['Create Table']), /UNIQUE KEY `kafka_position` \(`_kafka_partition`,`_kafka_offset`\)/);

  // verify knows a keyed table holds fewer rows than records, and still checks every offset.
  const args = ['verify', ...keyed.sets(UPSERT)];
  const result = await runKms(args, {}, { timeoutMs: 60_000 });
  assert.equal(result.code, 0, describeRun(args, result));
  assert.match(result.stdout, /PASS: 3\/3 partitions match/);
  const strict = ['verify', ...keyed.sets()];
  assert.equal(
    (await runKms(strict, {}, { timeoutMs: 60_000 })).code,
    1,
    'verify of an append-only table would count the replaced rows as missing',
  );
});

test('a key field the schema does not have stops the partition with a clear error; nothing is written', async () => {
  const topic = misconfigured.topics[0]!;
  await produceKeyed(misconfigured, topic, 0, 10);
  const sink = misconfigured.startSink(
    { 'kafka.topics': topic, 'sink.insert.mode': 'upsert', 'sink.pk.fields': 'account_no' },
    'missing-key',
  );
  await sink.waitForLog('the partition stops', (line) => /partition stopped/.test(String(line.msg)));
  const stopped = sink.logs().find((line) => /partition stopped/.test(String(line.msg)))!;
  assert.equal(stopped.level, 'ERROR');
  assert.match(
    String(stopped.err),
    /sink\.pk\.fields names "account_no", which the record schema of table `.+` does not have; fix sink\.pk\.fields/,
  );
  assert.deepEqual(await misconfigured.offsets(topic), new Map([[0, 0]]), 'the offset did not move');
  await sink.kill('SIGTERM');
});

test('an existing table keyed differently stops the partition instead of matching rows on the wrong key', async () => {
  const topic = misconfigured.topics[1]!;
  await produceKeyed(misconfigured, topic, 0, 10);
  const appending = misconfigured.startSink({ 'kafka.topics': topic }, 'append');
  await misconfigured.waitForOffsets(topic, () => 10);
  assert.equal(await appending.kill('SIGTERM'), 0);
  await produceKeyed(misconfigured, topic, 10, 10);
  const sink = misconfigured.startSink({ 'kafka.topics': topic, ...UPSERT }, 'rekeyed');
  await sink.waitForLog('the partition stops', (line) => /partition stopped/.test(String(line.msg)));
  const stopped = sink.logs().find((line) => /partition stopped/.test(String(line.msg)))!;
  assert.match(
    String(stopped.err),
    /table `.+` has primary key \(_kafka_partition, _kafka_offset\), but sink\.pk\.fields is \(key_field\); alter the table or change sink\.pk\.fields/,
  );
  assert.deepEqual(await misconfigured.offsets(topic), new Map([[0, 10]]), 'nothing written with the new key');
  await sink.kill('SIGTERM');
});
