import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { consumeAll, createTopic, deleteTopic, produceAll } from './helpers/kafka-client.ts';
import { uniqueName } from './helpers/unique.ts';
import { SINK_DATABASE, SINK_PASSWORD, SINK_USER } from '../../kit/stack/mariadb-service.ts';
import { connect } from '../../src/mysql/pool.ts';
import { mysqlAdmin } from './helpers/mysql-server.ts';
import { BOOTSTRAP, REGISTRY } from './helpers/services.ts';
import { avroRecord } from '../../kit/tools/avro-record.ts';

const MARIADB = { host: mysqlAdmin().host, port: mysqlAdmin().port };

/**
 * The default stack (`./kms test` starts it and passes its addresses) is real: the broker stores and serves
 * records to the native client, the registry's Confluent-compatible API stores and returns Avro schemas,
 * and MariaDB's `bank` database accepts writes from the sink's user. Everything created here has a unique
 * name and is removed again.
 */
const REGISTRY_JSON = 'application/vnd.schemaregistry.v1+json';

const PAYMENT_SCHEMA = avroRecord('kms.test.Payment', { id: 'long', account: 'string', cents: 'long' });

const subjects: string[] = [];
const topics: string[] = [];

async function newTopic(partitions: number): Promise<string> {
  const topic = uniqueName('kms_stack_real');
  topics.push(topic);
  await createTopic(BOOTSTRAP, { topic, num_partitions: partitions, replication_factor: 1 });
  return topic;
}

async function registry(path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${REGISTRY}${path}`, {
    ...init,
    headers: { 'content-type': REGISTRY_JSON, accept: REGISTRY_JSON },
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  assert.ok(response.ok, `${init.method ?? 'GET'} ${path} → ${response.status} ${body}`);
  return JSON.parse(body);
}

async function registerSchema(subject: string, schema: object): Promise<number> {
  subjects.push(subject);
  const { id } = (await registry(`/subjects/${subject}/versions`, {
    method: 'POST',
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  })) as { id: number };
  assert.ok(Number.isInteger(id) && id > 0, `schema id ${id}`);
  return id;
}

describe(`default stack is real (kafka ${BOOTSTRAP}, registry ${REGISTRY}, mariadb ${MARIADB.host}:${MARIADB.port})`, {
  timeout: 120_000,
}, () => {
  after(async () => {
    for (const topic of topics) await deleteTopic(BOOTSTRAP, topic).catch(() => undefined);
    for (const subject of subjects) {
      await registry(`/subjects/${subject}`, { method: 'DELETE' }).catch(() => undefined);
      await registry(`/subjects/${subject}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
    }
  });

  it('the broker stores records and serves them back to the native client', async () => {
    const topic = await newTopic(3);
    const sent = Array.from({ length: 12 }, (_, i) => ({ key: `key-${i}`, value: `value-${i} ${topic}` }));
    await produceAll(BOOTSTRAP, topic, sent);
    const received = await consumeAll(BOOTSTRAP, topic, 3, sent.length);
    assert.deepEqual(
      received.map(({ key, value }) => ({ key, value })).sort((a, b) => a.key.localeCompare(b.key)),
      [...sent].sort((a, b) => a.key.localeCompare(b.key)),
    );
    assert.equal(new Set(received.map((r) => r.partition)).size > 1, true, 'keys are spread over partitions');
  });

  it('the registry stores an Avro schema and returns it by id and by subject (ccompat v7)', async () => {
    const subject = uniqueName('kms_stack_real-value');
    const id = await registerSchema(subject, PAYMENT_SCHEMA);
    assert.equal(await registerSchema(subject, PAYMENT_SCHEMA), id, 'registering the same schema again returns its id');
    const byId = (await registry(`/schemas/ids/${id}`)) as { schema: string };
    assert.deepEqual(JSON.parse(byId.schema), PAYMENT_SCHEMA);
    const latest = (await registry(`/subjects/${subject}/versions/latest`)) as {
      subject: string;
      id: number;
      version: number;
      schema: string;
    };
    assert.equal(latest.subject, subject);
    assert.equal(latest.id, id);
    assert.equal(latest.version, 1);
    assert.deepEqual(JSON.parse(latest.schema), PAYMENT_SCHEMA);
    assert.ok(((await registry('/subjects')) as string[]).includes(subject));
  });

  it('an Avro record in the Confluent wire format makes the round trip registry → broker → registry', async () => {
    const subject = uniqueName('kms_stack_avro-value');
    const id = await registerSchema(subject, PAYMENT_SCHEMA);
    const payment = { id: 42, account: 'CH93-0000-0000-0000-0000-0', cents: 123_456 };
    const header = Buffer.alloc(5);
    header.writeUInt32BE(id, 1);
    const topic = await newTopic(1);
    await produceAll(BOOTSTRAP, topic, [
      {
        key: '42',
        value: Buffer.concat([header, avro.Type.forSchema(PAYMENT_SCHEMA as avro.Schema).toBuffer(payment)]),
      },
    ]);

    const [record] = await consumeAll(BOOTSTRAP, topic, 1, 1);
    assert.ok(record !== undefined);
    const wire = record.bytes;
    assert.equal(wire.readUInt8(0), 0, 'magic byte');
    const { schema } = (await registry(`/schemas/ids/${wire.readUInt32BE(1)}`)) as { schema: string };
    assert.deepEqual(
      { ...avro.Type.forSchema(JSON.parse(schema) as avro.Schema).fromBuffer(wire.subarray(5)) },
      payment,
    );
  });

  it(`MariaDB: the sink user writes and reads a row in \`${SINK_DATABASE}\``, async () => {
    const table = uniqueName('kms_stack_real');
    const connection = await connect({
      ...MARIADB,
      user: SINK_USER,
      password: SINK_PASSWORD,
      database: SINK_DATABASE,
    });
    try {
      await connection.query(
        `CREATE TABLE \`${table}\` (id BIGINT PRIMARY KEY, note VARCHAR(100) NOT NULL, amount DECIMAL(12,2) NOT NULL)`,
      );
      try {
        await connection.execute(`INSERT INTO \`${table}\` (id, note, amount) VALUES (?, ?, ?)`, [
          7,
          'grüezi ✓',
          '1234.50',
        ]);
        const [rows] = await connection.execute(`SELECT id, note, amount FROM \`${table}\` WHERE id = ?`, [7]);
        assert.deepEqual(rows, [{ id: 7, note: 'grüezi ✓', amount: '1234.50' }]);
        const [[who]] = (await connection.query('SELECT CURRENT_USER() AS user, DATABASE() AS db')) as unknown as [
          [{ user: string; db: string }],
        ];
        assert.match(who.user, new RegExp(`^${SINK_USER}@`));
        assert.equal(who.db, SINK_DATABASE);
      } finally {
        await connection.query(`DROP TABLE IF EXISTS \`${table}\``);
      }
    } finally {
      await connection.end();
    }
  });
});
