/**
 * The keyed demo's stream and its proof: a topic of account changes keyed by account id (Avro key and
 * value through the registry), upserts and deletes (tombstones) interleaved, and the table the stream
 * must leave behind, compared row by row with what the sink wrote.
 */
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import { RegistryClient } from '../../src/avro/registry-client.ts';
import { registryOptions } from '../../src/avro/registry-options.ts';
import { encodeWire } from '../../src/avro/wire-format.ts';
import { ensureBookkeepingTables, forgetTopic } from './provision.ts';
import type { SinkConfig } from '../../src/config/index.ts';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import { type ResultRow, selectRows } from '../../src/mysql/pool.ts';
import { compiled } from '../../src/mysql/compiled-query.ts';
import { quoteIdentifier } from '../../src/mysql/identifiers.ts';
import { tableNameFor } from '../../src/config/index.ts';
import { ensureDatabase, openPool } from './database.ts';
import { connectProducer, disconnectProducer, flushProducer } from './fast-producer.ts';
import { TopicAdmin } from './kafka-topics.ts';
import { avroRecord } from './avro-record.ts';

export const KEYED_DEMO_TOPIC = 'demo_accounts';
export const KEYED_DEMO_PARTITIONS = 3;
/** The keys every run of the demo changes, over and over. */
const ACCOUNTS = 40;

/** The settings the keyed demo runs the sink with (on top of the user's). */
export const KEYED_DEMO_SETTINGS: readonly string[] = [
  `kafka.topics=${KEYED_DEMO_TOPIC}`,
  'sink.pk.mode=record_key',
  'sink.insert.mode=upsert',
  'sink.delete.enabled=true',
];

const KEY_SCHEMA = avroRecord('kms.demo.AccountKey', { account_id: 'long' });
const VALUE_SCHEMA = avroRecord('kms.demo.Account', {
  account_id: 'long',
  owner: 'string',
  balance_cents: 'long',
  version: 'int',
});
const KEY_TYPE = parseAvroSchema(KEY_SCHEMA);
const VALUE_TYPE = parseAvroSchema(VALUE_SCHEMA);

export interface AccountEvent {
  readonly accountId: number;
  /** The event's number in the whole stream; its value carries it as `version`. */
  readonly version: number;
  /** A tombstone: the account is closed (its row deleted). */
  readonly closed: boolean;
}

/** Events `from..to-1` of the stream: account ids cycle with a stride, every 7th event closes one. */
export function accountEvents(from: number, to: number): AccountEvent[] {
  const events: AccountEvent[] = [];
  for (let i = from; i < to; i++)
    events.push({ accountId: 1 + ((i * 17) % ACCOUNTS), version: i, closed: i % 7 === 6 });
  return events;
}

/** The row of an account after an event; the table the sink writes must hold exactly these. */
function rowOf(event: AccountEvent): [number, string, number, number] {
  return [event.accountId, `owner-${event.accountId}`, event.version * 100 + event.accountId, event.version];
}

/** Rows the stream leaves, by account id: the last event per account decides. */
export function expectedAccounts(events: readonly AccountEvent[]): Map<number, unknown[]> {
  const rows = new Map<number, unknown[]>();
  for (const event of events) {
    if (event.closed) rows.delete(event.accountId);
    else rows.set(event.accountId, rowOf(event));
  }
  return rows;
}

/** Starts clean: the topic recreated, its table dropped, its offsets and dead letters gone; schemas registered. */
export async function resetKeyedDemo(config: SinkConfig): Promise<{ keyId: number; valueId: number }> {
  await ensureDatabase(config);
  const registry = new RegistryClient(registryOptions(config));
  const keyId = await registry.register(`${KEYED_DEMO_TOPIC}-key`, KEY_SCHEMA);
  const valueId = await registry.register(`${KEYED_DEMO_TOPIC}-value`, VALUE_SCHEMA);
  await withMetadataClient(config, async (kafka) => {
    const admin = new TopicAdmin(config, kafka);
    try {
      if ((await kafka.cluster()).topics.has(KEYED_DEMO_TOPIC)) await admin.delete(KEYED_DEMO_TOPIC);
      await admin.ensure({ topic: KEYED_DEMO_TOPIC, partitions: KEYED_DEMO_PARTITIONS, replication: 1 }, undefined);
    } finally {
      admin.close();
    }
  });
  const pool = await openPool(config);
  try {
    await ensureBookkeepingTables(config, pool);
    await forgetTopic(config, pool, KEYED_DEMO_TOPIC, tableNameFor(config, KEYED_DEMO_TOPIC));
  } finally {
    await pool.end();
  }
  return { keyId, valueId };
}

/** Produces the events, each account always to the same partition (so its events stay in order). */
export async function produceAccountEvents(
  config: SinkConfig,
  ids: { keyId: number; valueId: number },
  events: readonly AccountEvent[],
): Promise<void> {
  const producer = await connectProducer(config);
  try {
    for (const event of events) {
      const [accountId, owner, balanceCents, version] = rowOf(event);
      const key = encodeWire(ids.keyId, KEY_TYPE.toBuffer({ account_id: accountId }));
      const value = event.closed
        ? null
        : encodeWire(
            ids.valueId,
            VALUE_TYPE.toBuffer({ account_id: accountId, owner, balance_cents: balanceCents, version }),
          );
      producer.produce(KEYED_DEMO_TOPIC, accountId % KEYED_DEMO_PARTITIONS, value, key, null);
    }
    await flushProducer(config, producer);
  } finally {
    await disconnectProducer(producer);
  }
}

export interface AccountsCheck {
  readonly ok: boolean;
  readonly expected: number;
  readonly actual: number;
  /** Up to five accounts whose row differs, described. */
  readonly differences: readonly string[];
}

/** The table against the stream's model, row by row. */
export async function checkAccounts(config: SinkConfig, events: readonly AccountEvent[]): Promise<AccountsCheck> {
  const expected = expectedAccounts(events);
  const pool = await openPool(config);
  let rows: ResultRow[];
  try {
    const table = quoteIdentifier(tableNameFor(config, KEYED_DEMO_TOPIC));
    rows = await selectRows(
      pool,
      compiled(`SELECT account_id, owner, balance_cents, version FROM ${table} ORDER BY account_id`),
    );
  } finally {
    await pool.end();
  }
  const differences: string[] = [];
  const seen = new Set<number>();
  for (const row of rows) {
    const actual = [Number(row.account_id), String(row.owner), Number(row.balance_cents), Number(row.version)];
    seen.add(actual[0] as number);
    const want = expected.get(actual[0] as number);
    if (want === undefined) differences.push(`account ${actual[0]} should be deleted, the table has it`);
    else if (JSON.stringify(want) !== JSON.stringify(actual))
      differences.push(
        `account ${actual[0]}: table has ${JSON.stringify(actual)}, the stream says ${JSON.stringify(want)}`,
      );
  }
  for (const id of expected.keys()) if (!seen.has(id)) differences.push(`account ${id} is missing`);
  return {
    ok: differences.length === 0,
    expected: expected.size,
    actual: rows.length,
    differences: differences.slice(0, 5),
  };
}
