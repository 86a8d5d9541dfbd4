/**
 * verify and status against the real stack. The sink is simulated (helpers/tools-world.ts simulateSink writes the
 * rows and offsets the sink would); the end-to-end run with the real sink lives in the demo test.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { produce } from '../../kit/tools/produce.ts';
import { provision } from '../../kit/tools/provision.ts';
import { status } from '../../kit/tools/status.ts';
import { verify } from '../../kit/tools/verify.ts';
import { type ConsumedRecord, consumeToEnd } from './helpers/kafka-client.ts';
import { oneLineError } from './helpers/kms-cli.ts';
import { BOOTSTRAP } from './helpers/services.ts';
import { ToolsWorld, simulateSink } from './helpers/tools-world.ts';
import { mysqlAddress } from './helpers/mysql-server.ts';

const world = new ToolsWorld(2);
const RECORDS = 150;
let consumed: ConsumedRecord[] = [];

describe('kms verify', () => {
  before(async () => {
    const config = world.config();
    await provision(config, { schemas: world.schemaFile });
    await produce(config, { records: RECORDS });
    for (const topic of world.topics) {
      const records = await consumeToEnd(BOOTSTRAP, topic);
      if (topic === world.topics[0]) consumed = records;
      await simulateSink(world, config, topic, records);
    }
  });
  after(() => world.cleanup());

  const [first, second] = world.topics as [string, string];

  it('PASS with exit code 0 when every partition matches', async () => {
    const run = await world.kms(['verify', ...world.sets()]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.match(lines[0]!, /^topic\s+partition\s+end\s+stored\s+rows\s+dead\s+dup\s+status$/);
    assert.equal(lines.filter((line) => / OK$/.test(line)).length, 6);
    assert.match(lines.at(-1)!, new RegExp(`^PASS: 6/6 partitions match, ${2 * RECORDS} records exactly once$`));
  });

  it('verify() returns the structured comparison', async () => {
    const result = await verify(world.config());
    assert.equal(result.ok, true);
    assert.equal(result.partitions.length, 6);
    const total = result.partitions.filter((p) => p.topic === first).reduce((sum, p) => sum + p.end, 0);
    assert.equal(total, RECORDS);
    for (const p of result.partitions) assert.deepEqual([p.stored, p.rows, p.dead, p.duplicates], [p.end, p.end, 0, 0]);
  });

  it('a missing row → FAIL, exit 1; a dead letter in its place → PASS again', async () => {
    const victim = consumed.find((r) => r.offset === 3)!;
    await world.db.query(`DELETE FROM \`${first}\` WHERE _kafka_partition = ? AND _kafka_offset = 3`, [
      victim.partition,
    ]);
    const run = await world.kms(['verify', ...world.sets()]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, new RegExp(`^${first}\\s+${victim.partition}\\s.*FAIL: 1 missing$`, 'm'));
    assert.match(run.stdout.trim().split('\n').at(-1)!, /^FAIL: 1 check failed \(5\/6 partitions match\)$/);

    await world.db.query(
      'INSERT INTO kafka_dead_letters (topic, `partition`, `offset`, consumer_group, error_kind, error_message) VALUES (?, ?, 3, ?, ?, ?)',
      [first, victim.partition, `group-${first}`, 'DECODE_FAILED', 'simulated poison record'],
    );
    const after = await verify(world.config());
    assert.equal(after.ok, true);
    assert.equal(after.partitions.find((p) => p.topic === first && p.partition === victim.partition)!.dead, 1);
  });

  it('a record both written and dead-lettered counts as a duplicate', async () => {
    const record = consumed.find((r) => r.offset === 5)!;
    await world.db.query(
      'INSERT INTO kafka_dead_letters (topic, `partition`, `offset`, consumer_group, error_kind, error_message) VALUES (?, ?, 5, ?, ?, ?)',
      [first, record.partition, `group-${first}`, 'TEST', 'double'],
    );
    const result = await verify(world.config());
    const verdict = result.partitions.find((p) => p.topic === first && p.partition === record.partition)!;
    assert.equal(result.ok, false);
    assert.deepEqual(verdict.problems, ['1 extra', '1 duplicated']);
    await world.db.query('DELETE FROM kafka_dead_letters WHERE topic = ? AND `partition` = ? AND `offset` = 5', [
      first,
      record.partition,
    ]);
  });

  it('the same offset written twice (a table without the unique key) → FAIL dup', async () => {
    await world.db.query(`ALTER TABLE \`${second}\` DROP PRIMARY KEY`);
    await world.db.query(
      `INSERT INTO \`${second}\` SELECT * FROM \`${second}\` WHERE _kafka_partition = 0 AND _kafka_offset = 0`,
    );
    const run = await world.kms(['verify', ...world.sets()]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, new RegExp(`^${second}\\s+0\\s.*\\s1\\s+FAIL: 1 extra, 1 duplicated$`, 'm'));
    await world.db.query(`DELETE FROM \`${second}\` WHERE _kafka_partition = 0 AND _kafka_offset = 0 LIMIT 1`);
    await world.db.query(`ALTER TABLE \`${second}\` ADD PRIMARY KEY (_kafka_partition, _kafka_offset)`);
  });

  it('a stored offset that differs from the end offset → FAIL', async () => {
    await world.db.query('UPDATE kafka_offsets SET `offset` = `offset` - 2 WHERE topic = ? AND `partition` = 1', [
      second,
    ]);
    const result = await verify(world.config());
    assert.equal(result.ok, false);
    assert.deepEqual(result.partitions.find((p) => p.topic === second && p.partition === 1)!.problems, [
      'offset 2 behind',
    ]);
  });

  it('status shows committed offset, end, lag and dead letters', async () => {
    const result = await status(world.config());
    const behind = result.partitions.find((p) => p.topic === second && p.partition === 1)!;
    assert.equal(behind.lag, 2);
    assert.equal(behind.committed, behind.end - 2);
    assert.equal(
      result.partitions.filter((p) => p.topic === first).reduce((sum, p) => sum + p.dead, 0),
      1,
    );
    const run = await world.kms(['status', ...world.sets()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^topic\s+partition\s+group\s+committed\s+end\s+lag\s+dead$/m);
    assert.match(
      run.stdout,
      new RegExp(`^${second}\\s+1\\s+group-${second}\\s+${behind.end - 2}\\s+${behind.end}\\s+2\\s+0$`, 'm'),
    );
    assert.match(run.stdout, /^total: lag 2 of 300 records, 1 dead letters/m);
  });

  it('--wait polls until the sink catches up', async () => {
    const waiting = world.kms(['verify', '--wait', '--timeout', '30', ...world.sets()]);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await world.db.query('UPDATE kafka_offsets SET `offset` = `offset` + 2 WHERE topic = ? AND `partition` = 1', [
      second,
    ]);
    const run = await waiting;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok(run.durationMs >= 2_000);
    assert.match(run.stdout.trim().split('\n').at(-1)!, /^PASS/);
  });

  it('--wait gives up after --timeout with the table and exit 1', async () => {
    await world.db.query('UPDATE kafka_offsets SET `offset` = 0 WHERE topic = ? AND `partition` = 2', [first]);
    const run = await world.kms(['verify', '--wait', '--timeout', '2', ...world.sets()]);
    assert.equal(run.code, 1);
    assert.ok(run.durationMs >= 2_000 && run.durationMs < 15_000, `took ${run.durationMs} ms`);
    assert.match(run.stdout, new RegExp(`^${first}\\s+2\\s.*FAIL: offset \\d+ behind$`, 'm'));
    assert.match(run.stdout.trim().split('\n').at(-1)!, /^FAIL/);
  });

  it('checks only the total per topic when provenance columns are off', async () => {
    const result = await verify(world.config({ 'sink.provenance.columns': 'false' }));
    const totals = result.partitions.filter((p) => p.partition === 'all');
    assert.deepEqual(
      totals.map((p) => [p.topic, p.rows! + p.dead, p.end, p.ok]),
      [
        [first, RECORDS, RECORDS, true],
        [second, RECORDS, RECORDS, true],
      ],
    );
  });
});

describe('kms verify / status: unreachable services and bad input get one clear line', () => {
  const bad = new ToolsWorld(1);
  after(() => bad.cleanup());

  it('wrong database password → exit 2, password never printed', async () => {
    const secret = 'N0t-The-Pa55word';
    for (const command of ['verify', 'status']) {
      const run = await bad.kms([
        command,
        ...bad.sets({ 'mysql.password': secret, 'mysql.url': `jdbc:mysql://${mysqlAddress()}/bank` }),
      ]);
      assert.equal(run.code, 2, command);
      assert.match(oneLineError(run), /access denied/);
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
    }
  });

  it('a database that does not exist → exit 1 pointing at provision', async () => {
    const run = await bad.kms(['verify', ...bad.sets()]);
    assert.equal(run.code, 1);
    assert.match(oneLineError(run), /database "kms_test_\w+" does not exist .*run \.\/kms provision first/);
  });

  it('unreachable Kafka → exit 1 within 15 s', async () => {
    const run = await bad.kms(['status', ...bad.sets({ 'kafka.bootstrap.servers': '127.0.0.1:1' })]);
    assert.equal(run.code, 1);
    assert.ok(run.durationMs < 15_000, `took ${run.durationMs} ms`);
    assert.match(oneLineError(run), /Kafka at 127\.0\.0\.1:1 did not answer/);
  });

  it('a topic missing in Kafka is a FAIL, not a crash', async () => {
    await provision(bad.config(), { schemas: bad.schemaFile });
    const run = await bad.kms(['verify', ...bad.sets({ 'kafka.topics': `${bad.topics[0]},kms_missing_${bad.id}` })]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, new RegExp(`^FAIL: topic "kms_missing_${bad.id}" does not exist in Kafka$`, 'm'));
    const rows = await bad.db.query<ResultRow[]>('SELECT COUNT(*) AS n FROM kafka_offsets');
    assert.equal(rows[0]!.n, 0);
  });

  it('bad flag → exit 2', async () => {
    const run = await bad.kms(['verify', '--timeout', 'soon']);
    assert.equal(run.code, 2);
    oneLineError(run);
  });
});
