import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RecordDecoder } from '../../src/avro/decoder.ts';
import { RegistryClient } from '../../src/avro/registry-client.ts';
import { MetadataClient } from '../../src/kafka/metadata-client.ts';
import { produce } from '../../kit/tools/produce.ts';
import { provision } from '../../kit/tools/provision.ts';
import { consumeToEnd } from './helpers/kafka-client.ts';
import { oneLineError } from './helpers/kms-cli.ts';
import { BOOTSTRAP, REGISTRY } from './helpers/services.ts';
import { ToolsWorld } from './helpers/tools-world.ts';

const world = new ToolsWorld(3);

async function endTotals(): Promise<Map<string, number>> {
  const session = await MetadataClient.open(world.config());
  try {
    const out = new Map<string, number>();
    for (const topic of world.topics) {
      let total = 0;
      for (const p of [0, 1, 2]) total += await session.endOffset(topic, p);
      out.set(topic, total);
    }
    return out;
  } finally {
    await session.close();
  }
}

describe('kms produce', () => {
  before(async () => {
    await provision(world.config(), { schemas: world.schemaFile });
  });
  after(() => world.cleanup());

  it('sends N records PER topic and prints a summary line', async () => {
    const run = await world.kms(['produce', '--records', '400', ...world.sets()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^produced 1200 records \(3 topics\) in \d+\.\d s: \d+ records\/s$/m);
    assert.deepEqual([...(await endTotals()).values()], [400, 400, 400]);
  });

  it('records decode with the registered schemas; keys unique; seq and timestamp grow within each partition', async () => {
    const registry = new RegistryClient({ url: REGISTRY });
    const decoder = new RecordDecoder(registry.schemas);
    const valueId = (await registry.getLatest(`${world.topics[0]}-value`)).id;
    const records = await consumeToEnd(BOOTSTRAP, world.topics[0]!);
    assert.equal(records.length, 400);
    const keys = new Set<string>();
    const last = new Map<number, { seq: number; ts: number }>();
    for (const record of records.sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
      const key = await decoder.decode(record.keyBytes);
      const value = await decoder.decode(record.bytes);
      assert.equal(value.schemaId, valueId);
      const row = value.value as {
        key_field: string;
        timestamp_field: number;
        string_field: string;
        amount: string;
        day: string;
      };
      assert.equal(key.value, row.key_field, 'key = first field');
      assert.match(row.key_field, new RegExp(`^${world.topics[0]}-[a-z0-9]+-\\d+$`));
      keys.add(row.key_field);
      const seq = Number(/^seq=(\d+) /.exec(row.string_field)?.[1]);
      assert.ok(Number.isInteger(seq), row.string_field);
      assert.match(row.amount, /^-?\d{1,10}\.\d\d$/);
      assert.match(row.day, /^\d{4}-\d\d-\d\d$/);
      const previous = last.get(record.partition);
      if (previous !== undefined) {
        assert.ok(seq > previous.seq, `partition ${record.partition}: seq ${seq} after ${previous.seq}`);
        assert.ok(row.timestamp_field >= previous.ts);
      }
      last.set(record.partition, { seq, ts: row.timestamp_field });
    }
    assert.equal(keys.size, 400);
    assert.equal(last.size, 3, 'keys spread over all partitions');
  });

  it('produce() honours --topics, --rate and --concurrency and returns per-topic counts', async () => {
    const before = await endTotals();
    const result = await produce(world.config(), {
      records: 300,
      topics: world.topics.slice(0, 2),
      rate: 600,
      concurrency: 2,
    });
    assert.deepEqual(result.perTopic, { [world.topics[0]!]: 300, [world.topics[1]!]: 300 });
    assert.equal(result.records, 600);
    assert.equal(result.failed, 0);
    // 600 records at 600/s: about one second, never much faster.
    assert.ok(result.seconds >= 0.8, `took ${result.seconds} s`);
    const after = await endTotals();
    assert.equal(after.get(world.topics[0]!)! - before.get(world.topics[0]!)!, 300);
    assert.equal(after.get(world.topics[2]!), before.get(world.topics[2]!));
  });

  it('prints periodic plain progress lines when stdout is not a terminal', async () => {
    const run = await world.kms([
      'produce',
      '--records',
      '9000',
      '--rate',
      '3000',
      '--topics',
      world.topics[2]!,
      ...world.sets(),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^produce: \d+\/9000 records \(\d+%\), \d+ records\/s, ETA \d+s$/m);
    assert.match(run.stdout, /^produced 9000 records \(1 topic\)/m);
  });

  // Speed is measured by ./kms bench, never asserted here; this only checks a large run delivers everything.
  it('delivers 300k records over 3 topics with no delivery failure', async () => {
    const result = await produce(world.config(), { records: 100_000 });
    assert.equal(result.failed, 0);
    assert.equal(result.records, 300_000);
    assert.deepEqual(Object.values(result.perTopic), [100_000, 100_000, 100_000]);
  });
});

describe('kms produce: bad input and unreachable services get one clear line', () => {
  const bad = new ToolsWorld(1);
  after(() => bad.cleanup());

  it('missing --records or a bad value → exit 2', async () => {
    for (const args of [
      ['produce'],
      ['produce', '--records', '-5'],
      ['produce', '--records', '10', '--rate', 'fast'],
    ]) {
      const run = await bad.kms(args);
      assert.equal(run.code, 2, args.join(' '));
      oneLineError(run);
    }
  });

  it('a topic that does not exist → exit 2 pointing at provision', async () => {
    await bad.fails(['produce', '--records', '10'], {}, 2, /not found in Kafka .*run \.\/kms provision first/);
  });

  it('missing schema file → exit 2', async () => {
    await bad.fails(
      ['produce', '--records', '10', '--schemas', '/nonexistent.json'],
      {},
      2,
      /schema file "\/nonexistent.json" does not exist/,
    );
  });

  it('unreachable Kafka → exit 1 within 15 s', async () => {
    const run = await bad.fails(
      ['produce', '--records', '10'],
      { 'kafka.bootstrap.servers': '127.0.0.1:1' },
      1,
      /Kafka at 127\.0\.0\.1:1 did not answer/,
    );
    assert.ok(run.durationMs < 15_000, `took ${run.durationMs} ms`);
  });

  it('unreachable registry → exit 1', async () => {
    await provision(bad.config(), { schemas: bad.schemaFile });
    await bad.fails(
      ['produce', '--records', '10'],
      { 'kafka.schema.registry.url': 'http://127.0.0.1:59998/apis/ccompat/v7' },
      1,
      /schema registry unreachable/,
    );
  });
});
