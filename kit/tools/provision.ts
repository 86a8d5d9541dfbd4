/**
 * `provision`: everything the sink expects to exist, from the schema file, as the seed's set-up did it
 * (topics with 3 partitions, the database, one table per topic). Idempotent: a second run changes
 * nothing. Tables get exactly the layout the sink would auto-create (`tableSpec` over the same column
 * model), so provisioned and sink-created tables never differ.
 * Problems that need no service (flags, schema file) are found before anything is touched.
 */
import { parseAvroSchema } from '../../src/avro/avro-schema.ts';
import { RegistryClient } from '../../src/avro/registry-client.ts';
import { registryOptions } from '../../src/avro/registry-options.ts';
import { tableNameFor, type SinkConfig } from '../../src/config/index.ts';
import { SinkError } from '../../src/core/errors.ts';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import { selectTableExists } from '../../src/mysql/catalog-sql.ts';
import type { CompiledQuery } from '../../src/mysql/compiled-query.ts';
import { createTable, dropTable } from '../../src/mysql/ddl.ts';
import {
  createDeadLettersTable,
  createOffsetsTable,
  deleteDeadLettersOfTopic,
  deleteOffsetsOfTopic,
} from '../../src/mysql/offset-sql.ts';
import { execute, selectRows, type Pool } from '../../src/mysql/pool.ts';
import { databaseError, ensureDatabase, openPool } from './database.ts';
import { TopicAdmin, checkPartitions, type TopicOutcome } from './kafka-topics.ts';
import { defaultSchemaFile, readSchemaFile, schemasFor, tableSpecFor } from './schema-file.ts';

/** Key schema of every topic: the seed keys records by the first field's text. */
export const KEY_SCHEMA = 'string';
export const DEFAULT_PARTITIONS = 3;

export interface ProvisionOptions {
  /** Schema file; default config/seed-schemas.json. */
  readonly schemas?: string;
  readonly partitions?: number;
  /** Default min(3, brokers in the cluster). */
  readonly replication?: number;
  /** Delete and recreate topics, tables, offset rows and dead letters of the configured topics. */
  readonly reset?: boolean;
  /** Progress lines; default none. */
  readonly log?: (line: string) => void;
}

export interface ProvisionedTopic {
  readonly topic: string;
  readonly outcome: TopicOutcome;
  readonly partitions: number;
  readonly replication: number;
  readonly valueSchemaId: number;
  readonly keySchemaId: number;
  readonly table: string;
  readonly tableCreated: boolean;
}

export interface ProvisionResult {
  readonly database: string;
  readonly databaseCreated: boolean;
  readonly brokers: number;
  readonly topics: readonly ProvisionedTopic[];
}

export async function provision(config: SinkConfig, options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const log = options.log ?? (() => {});
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new SinkError('USAGE', `--partitions must be a whole number >= 1, got ${partitions}`);
  const file = readSchemaFile(options.schemas ?? defaultSchemaFile());
  const topics = schemasFor(file, config.kafka.topics).map((entry) => {
    const table = tableNameFor(config, entry.topic);
    const where = `schema file ${JSON.stringify(file.path)}: topic ${JSON.stringify(entry.topic)}`;
    return {
      ...entry,
      table,
      spec: tableSpecFor(config, table, entry.type, parseAvroSchema(JSON.stringify(KEY_SCHEMA)), where),
    };
  });
  const registry = new RegistryClient(registryOptions(config));

  return withMetadataClient(config, async (kafka) => {
    const cluster = await kafka.cluster();
    const replication = options.replication ?? Math.min(3, Math.max(1, cluster.brokers));
    if (!Number.isInteger(replication) || replication < 1 || replication > cluster.brokers) {
      throw new SinkError(
        'USAGE',
        `--replication ${replication} needs ${replication} brokers, but the cluster at ` +
          `${config.kafka.bootstrapServers.join(',')} has ${cluster.brokers}; pass --replication 1..${cluster.brokers}`,
      );
    }
    // Before any change: a topic that is too small needs an operator decision, not half a provisioning.
    if (options.reset !== true) {
      for (const { topic } of topics) {
        const existing = cluster.topics.get(topic)?.partitions.length;
        if (existing !== undefined) checkPartitions({ topic, partitions, replication }, existing);
      }
    }
    log(
      `kafka ${config.kafka.bootstrapServers.join(',')}: ${cluster.brokers} ` +
        `broker${cluster.brokers === 1 ? '' : 's'}; topics get ${partitions} partitions, replication ${replication}`,
    );

    const database = await ensureDatabase(config);
    log(
      `database ${config.mysql.database}: ` +
        `${database.created ? 'created' : 'exists'}${database.viaAdmin ? ' (via the admin account, granted to the sink user)' : ''}`,
    );
    const pool = await openPool(config);
    const admin = new TopicAdmin(config, kafka);
    try {
      await ensureBookkeepingTables(config, pool);
      log(`tables ${config.sink.offsetsTable}, ${config.sink.deadLetterTable}: ready`);

      // Before any topic or table changes: an unreachable or refusing registry should leave nothing half done.
      const registered = [];
      for (const entry of topics) {
        const valueSchemaId = await registry.register(`${entry.topic}-value`, entry.schema);
        const keySchemaId = await registry.register(`${entry.topic}-key`, JSON.stringify(KEY_SCHEMA));
        registered.push({ ...entry, valueSchemaId, keySchemaId });
      }

      if (options.reset === true) {
        for (const { topic, table } of topics) {
          if (cluster.topics.has(topic)) await admin.delete(topic);
          await forgetTopic(config, pool, topic, table);
          log(`reset ${topic}: topic deleted, table ${table} dropped, offset rows and dead letters removed`);
        }
      }

      const results: ProvisionedTopic[] = [];
      for (const { topic, table, spec, valueSchemaId, keySchemaId } of registered) {
        const existing = options.reset === true ? undefined : cluster.topics.get(topic)?.partitions.length;
        const outcome = await admin.ensure({ topic, partitions, replication }, existing);
        const tableCreated = !(await tableExists(config, pool, table));
        if (tableCreated) await run(config, pool, createTable(spec));
        const shownPartitions = existing ?? partitions;
        const topicDone =
          outcome === 'created'
            ? `created (${partitions} partitions, replication ${replication})`
            : `exists (${shownPartitions} partitions)`;
        log(
          `topic ${topic}: ${topicDone}; schemas ${topic}-value id ${valueSchemaId}, ${topic}-key id ${keySchemaId}; ` +
            `table ${table}: ${tableCreated ? 'created' : 'exists'}`,
        );
        results.push({
          topic,
          outcome,
          partitions: shownPartitions,
          replication,
          valueSchemaId,
          keySchemaId,
          table,
          tableCreated,
        });
      }
      return {
        database: config.mysql.database,
        databaseCreated: database.created,
        brokers: cluster.brokers,
        topics: results,
      };
    } finally {
      admin.close();
      await pool.end().catch(() => {});
    }
  });
}

async function run(config: SinkConfig, pool: Pool, query: CompiledQuery): Promise<void> {
  try {
    await execute(pool, query);
  } catch (error) {
    throw databaseError(config, error, `failed: ${query.sql.split('\n')[0]}`);
  }
}

async function tableExists(config: SinkConfig, pool: Pool, table: string): Promise<boolean> {
  try {
    return (await selectRows(pool, selectTableExists(table))).length > 0;
  } catch (error) {
    throw databaseError(config, error);
  }
}

/** `kafka_offsets` and `kafka_dead_letters` (as configured), created when missing. */
export async function ensureBookkeepingTables(config: SinkConfig, pool: Pool): Promise<void> {
  await run(config, pool, createOffsetsTable(config.sink.offsetsTable));
  await run(config, pool, createDeadLettersTable(config.sink.deadLetterTable));
}

/** The database half of a reset: the topic's table dropped, its offset rows and dead letters removed. */
export async function forgetTopic(config: SinkConfig, pool: Pool, topic: string, table: string): Promise<void> {
  await run(config, pool, dropTable(table));
  await run(config, pool, deleteOffsetsOfTopic(topic, config.sink.offsetsTable));
  await run(config, pool, deleteDeadLettersOfTopic(topic, config.sink.deadLetterTable));
}
