import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryClient } from '../../src/avro/registry-client.ts';
import { buildColumnModel } from '../../src/mysql/column-model.ts';
import { buildKeyModel, buildKeyedModel } from '../../src/mysql/key-model.ts';
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import { createPool, type ResultRow } from '../../src/mysql/pool.ts';
import { TableManager } from '../../src/sink/table-manager.ts';
import { MetadataClient } from '../../src/kafka/metadata-client.ts';
import { provision } from '../../kit/tools/provision.ts';
import { produce } from '../../kit/tools/produce.ts';
import { oneLineError } from './helpers/kms-cli.ts';
import { REGISTRY, rootConnection } from './helpers/services.ts';
import { SEED_LIKE, ToolsWorld } from './helpers/tools-world.ts';
import { mysqlAddress } from './helpers/mysql-server.ts';

const world = new ToolsWorld(2);

async function partitionCounts(): Promise<Map<string, number>> {
  const session = await MetadataClient.open(world.config());
  try {
    const cluster = await session.cluster();
    return new Map(world.topics.map((t) => [t, cluster.topics.get(t)?.partitions.length ?? 0]));
  } finally {
    await session.close();
  }
}

async function showCreate(table: string): Promise<string> {
  const rows = await world.db.query<ResultRow[]>(`SHOW CREATE TABLE \`${table}\``);
  return String(rows[0]!['Create Table']).replace(/^CREATE TABLE `[^`]+`/, 'CREATE TABLE `x`');
}

describe('kms provision', () => {
  after(() => world.cleanup());

  it('creates topics, subjects, database, bookkeeping tables and one table per topic', async () => {
    const run = await world.kms(['provision', '--schemas', world.schemaFile, ...world.sets()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /database kms_test_\w+: created/);
    for (const topic of world.topics) {
      assert.match(run.stdout, new RegExp(`topic ${topic}: created \\(3 partitions, replication 1\\)`));
    }
    assert.deepEqual([...(await partitionCounts()).values()], [3, 3]);

    const registry = new RegistryClient({ url: REGISTRY });
    for (const topic of world.topics) {
      assert.equal((await registry.getLatest(`${topic}-value`)).type.typeName, 'record');
      assert.equal((await registry.getLatest(`${topic}-key`)).schema.replace(/\s/g, ''), '"string"');
    }
    const tables = (await world.db.query<ResultRow[]>('SHOW TABLES')).map((row) => String(Object.values(row)[0]));
    assert.deepEqual(tables.sort(), ['kafka_dead_letters', 'kafka_offsets', ...world.topics].sort());
  });

  it('creates exactly the table the sink itself would create', async () => {
    const config = world.config();
    const pool = createPool(config);
    try {
      const manager = new TableManager(pool, { autoCreate: true, autoEvolve: true, provenance: true });
      const model = buildColumnModel(parseAvroSchema(SEED_LIKE('r0')), {
        stringType: config.sink.stringType,
        provenance: true,
      });
      await manager.ensure('sink_made', model);
    } finally {
      await pool.end();
    }
    assert.equal(await showCreate(world.topics[0]!), await showCreate('sink_made'));
    await world.db.query('DROP TABLE `sink_made`');
  });

  it('is idempotent: a second run changes nothing', async () => {
    const run = await world.kms(['provision', '--schemas', world.schemaFile, ...world.sets()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /database kms_test_\w+: exists/);
    for (const topic of world.topics)
      assert.match(run.stdout, new RegExp(`topic ${topic}: exists \\(3 partitions\\).*table ${topic}: exists`));
  });

  it('refuses to shrink: more partitions than an existing topic has is a clear error', async () => {
    const run = await world.kms(['provision', '--schemas', world.schemaFile, '--partitions', '4', ...world.sets()]);
    assert.equal(run.code, 2);
    const line = oneLineError(run);
    assert.match(line, /exists with 3 partitions, fewer than the 4 requested; pass --partitions 3 .* or --reset/);
  });

  it('--reset empties topics, tables, offset rows and dead letters of the configured topics only', async () => {
    const config = world.config();
    await produce(config, { records: 50, schemas: world.schemaFile });
    const [first] = world.topics;
    await world.db.query(
      'INSERT INTO kafka_offsets (topic, `partition`, consumer_group, `offset`) VALUES (?, 0, ?, 10), (?, 0, ?, 5)',
      [first, `group-${first}`, 'other-topic', 'group-other'],
    );
    await world.db.query(
      'INSERT INTO kafka_dead_letters (topic, `partition`, `offset`, consumer_group, error_kind, error_message) VALUES (?, 0, 1, ?, ?, ?)',
      [first, `group-${first}`, 'TEST', 'test'],
    );
    await world.db.query(
      `INSERT INTO \`${first}\` (key_field, timestamp_field, string_field, amount, day, note, _kafka_partition, _kafka_offset) VALUES ('k', 1, 's', 1.5, '2024-01-01', NULL, 0, 0)`,
    );

    const run = await world.kms(['provision', '--schemas', world.schemaFile, '--reset', ...world.sets()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`reset ${first}: topic deleted`));
    assert.match(run.stdout, new RegExp(`topic ${first}: created`));

    const session = await MetadataClient.open(config);
    try {
      for (const topic of world.topics) for (const p of [0, 1, 2]) assert.equal(await session.endOffset(topic, p), 0);
    } finally {
      await session.close();
    }
    const offsets = await world.db.query<ResultRow[]>('SELECT topic FROM kafka_offsets');
    assert.deepEqual(
      offsets.map((row) => row.topic),
      ['other-topic'],
    );
    assert.equal((await world.db.query<ResultRow[]>('SELECT COUNT(*) AS n FROM kafka_dead_letters'))[0]!.n, 0);
    assert.equal((await world.db.query<ResultRow[]>(`SELECT COUNT(*) AS n FROM \`${first}\``))[0]!.n, 0);
  });

  it('provision() as a function returns what it did (for demo)', async () => {
    const result = await provision(world.config(), { schemas: world.schemaFile });
    assert.equal(result.database, world.database);
    assert.deepEqual(
      result.topics.map((t) => [t.topic, t.outcome, t.partitions, t.tableCreated]),
      world.topics.map((t) => [t, 'exists', 3, false]),
    );
    assert.ok(result.topics.every((t) => t.valueSchemaId > 0 && t.keySchemaId > 0));
  });

  it('creates a database the sink user may not create through the admin account, and grants it', async () => {
    const database = `kmsx_${world.id}`;
    world.db.dropAlso(database);
    const run = await world.kms([
      'provision',
      '--schemas',
      world.schemaFile,
      ...world.sets({ 'mysql.url': `jdbc:mysql://${mysqlAddress()}/${database}` }),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`database ${database}: created \\(via the admin account`));
    const connection = await rootConnection();
    try {
      const [rows] = await connection.query<ResultRow[]>(
        'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
        [database],
      );
      assert.equal(rows[0]!.n, 4);
      await connection
        .query(
          `REVOKE ALL PRIVILEGES ON \`${database.replace(/_/g, '\\_')}\`.* FROM 'consumer'@'%', 'consumer'@'localhost', 'consumer'@'127.0.0.1'`,
        )
        .catch(() => {});
    } finally {
      await connection.end();
    }
  });

  it('with sink.pk.mode=record_key creates the keyed table the sink would: the string key first, as primary key', async () => {
    const keyed = { 'sink.pk.mode': 'record_key' };
    const run = await world.kms(['provision', '--reset', '--schemas', world.schemaFile, ...world.sets(keyed)]);
    assert.equal(run.code, 0, run.stderr);
    const config = world.config(keyed);
    const pool = createPool(config);
    try {
      const manager = new TableManager(pool, {
        autoCreate: true,
        autoEvolve: true,
        provenance: true,
        pkMode: 'record_key',
      });
      const key = buildKeyModel(parseAvroSchema('"string"'), { fields: [], primitiveColumn: 'kafka_key' });
      const model = buildKeyedModel(key, parseAvroSchema(SEED_LIKE('r0')), {
        stringType: config.sink.stringType,
        provenance: true,
      });
      await manager.ensure('sink_made_keyed', model);
    } finally {
      await pool.end();
    }
    const created = await showCreate(world.topics[0]!);
    assert.match(created, /PRIMARY KEY \(`kafka_key`\)/);
    assert.equal(created, await showCreate('sink_made_keyed'));
    await world.db.query('DROP TABLE `sink_made_keyed`');
  });
});

describe('kms provision: bad input and unreachable services get one clear line', () => {
  const bad = new ToolsWorld(1);
  before(() => {
    bad.writeSchemas(
      {
        [bad.topics[0]!]: {
          type: 'record',
          name: 'r',
          fields: [
            { name: 'id', type: 'string' },
            { name: 'amount', type: 'dubble' },
          ],
        },
      },
      'invalid.json',
    );
  });
  after(() => bad.cleanup());

  it('missing schema file → exit 2', async () => {
    await bad.fails(
      ['provision', '--schemas', '/nonexistent/schemas.json'],
      {},
      2,
      /schema file "\/nonexistent\/schemas.json" does not exist/,
    );
  });

  it('invalid Avro → exit 2 naming the topic and the field', async () => {
    const run = await bad.kms(['provision', '--schemas', `${bad.dir}/invalid.json`, ...bad.sets()]);
    assert.equal(run.code, 2);
    const line = oneLineError(run);
    assert.ok(
      line.includes(`topic "${bad.topics[0]}"`) && line.includes('field "amount"') && line.includes('dubble'),
      line,
    );
  });

  it('a topic the schema file lacks → exit 2', async () => {
    await bad.fails(
      ['provision', '--schemas', bad.schemaFile],
      { 'kafka.topics': 'not_in_file' },
      2,
      /has no schema for topic "not_in_file"/,
    );
  });

  it('bad flag → exit 2', async () => {
    const run = await bad.kms(['provision', '--partitions', 'many']);
    assert.equal(run.code, 2);
    assert.match(oneLineError(run), /--partitions <n>.*'many' is invalid/);
  });

  it('unreachable Kafka → exit 1 within 15 s', async () => {
    const run = await bad.fails(
      ['provision', '--schemas', bad.schemaFile],
      { 'kafka.bootstrap.servers': '127.0.0.1:1' },
      1,
      /Kafka at 127\.0\.0\.1:1 did not answer/,
    );
    assert.ok(run.durationMs < 15_000, `took ${run.durationMs} ms`);
  });

  it('unreachable registry → exit 1', async () => {
    await bad.fails(
      ['provision', '--schemas', bad.schemaFile],
      { 'kafka.schema.registry.url': 'http://127.0.0.1:59998/apis/ccompat/v7' },
      1,
      /schema registry unreachable.*ECONNREFUSED/,
    );
  });

  it('wrong database password → exit 2, password never printed', async () => {
    const secret = 'Wr0ng-S3cret-pw';
    const run = await bad.kms(['provision', '--schemas', bad.schemaFile, ...bad.sets({ 'mysql.password': secret })]);
    assert.equal(run.code, 2);
    assert.match(
      oneLineError(run),
      /refused user "consumer" \(access denied\): check mysql.username .* and mysql.password/,
    );
    assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
  });

  it('unreachable database → exit 1', async () => {
    await bad.fails(
      ['provision', '--schemas', bad.schemaFile],
      { 'mysql.url': 'jdbc:mysql://127.0.0.1:1/kms_x' },
      1,
      /database 127\.0\.0\.1:1 could not be reached \(ECONNREFUSED\)/,
    );
  });
});
