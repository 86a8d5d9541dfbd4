/**
 * The JSON endpoints behind the status page. Each returns `{ status, body }`; bad query parameters
 * are a 400 `{ error }` with one line saying what to fix, a database or Kafka that does not answer a 503.
 */
import { RegistryClient } from '../avro/registry-client.ts';
import { registryOptions } from '../avro/registry-options.ts';
import { SinkError, describeError } from '../core/errors.ts';
import { groupIdFor } from '../config/index.ts';
import { kafkaAddress } from '../kafka/metadata-client.ts';
import { peekRecords } from '../kafka/record-peek.ts';
import { selectDeadLetters } from '../mysql/dead-letter-sql.ts';
import { isNoSuchTable } from '../mysql/errno.ts';
import { selectRows } from '../mysql/pool.ts';
import type { GroupReader } from './group-reader.ts';
import { BadRequest, Query } from './query-params.ts';
import { decodeForPeek } from './record-peek-view.ts';
import type { StatusModel } from './status-model.ts';

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

const MAX_PEEK = 50;
const MAX_DEAD_LETTERS = 500;
/** Raw bytes shown per dead letter: enough to recognise a record, bounded for a page. */
const MAX_HEX_BYTES = 64 * 1024;

export class StatusApi {
  readonly #reader: GroupReader;
  readonly #model: StatusModel;
  readonly #registry: RegistryClient;

  constructor(reader: GroupReader, model: StatusModel) {
    this.#reader = reader;
    this.#model = model;
    this.#registry = new RegistryClient(registryOptions(reader.config, 5_000));
  }

  /** undefined: not an API path. */
  async handle(path: string, params: URLSearchParams): Promise<ApiAnswer | undefined> {
    try {
      if (path === '/api/overview') {
        new Query(params, []);
        return { status: 200, body: this.#model.overview() };
      }
      if (path === '/api/history') {
        new Query(params, []);
        return { status: 200, body: { intervalSeconds: 3, points: this.#model.history } };
      }
      if (path === '/api/dead-letters')
        return await this.#deadLetters(new Query(params, ['topic', 'partition', 'reason', 'limit']));
      const one = /^\/api\/dead-letters\/([^/]+)$/.exec(path);
      if (one) return await this.#deadLetter(one[1]!, new Query(params, []));
      if (path === '/api/peek') return await this.#peek(new Query(params, ['topic', 'partition', 'count']));
      return undefined;
    } catch (error) {
      if (error instanceof BadRequest) return { status: 400, body: { error: error.message } };
      return { status: 503, body: { error: describeError(error) } };
    }
  }

  #topic(query: Query, required: boolean): string | undefined {
    const topic = query.text('topic');
    if (topic === undefined) {
      if (required) throw new BadRequest('query parameter "topic" is required');
      return undefined;
    }
    const topics = this.#reader.config.kafka.topics;
    if (!topics.includes(topic))
      throw new BadRequest(
        `topic ${JSON.stringify(topic)} is not one this sink reads (kafka.topics: ${topics.join(', ')})`,
      );
    return topic;
  }

  async #deadLetters(query: Query): Promise<ApiAnswer> {
    const topic = this.#topic(query, false);
    const partition = query.integer('partition', 0, 1_000_000);
    const reason = query.text('reason');
    const limit = query.integer('limit', 1, MAX_DEAD_LETTERS) ?? 20;
    if (partition !== undefined && topic === undefined)
      throw new BadRequest('query parameter "partition" needs "topic" too');
    const rows = await this.#select(
      selectDeadLetters(
        this.#reader.config.sink.deadLetterTable,
        {
          ...(topic === undefined ? {} : { topic, group: groupIdFor(this.#reader.config, topic) }),
          ...(partition === undefined ? {} : { partition }),
          ...(reason === undefined ? {} : { reason }),
        },
        { limit },
      ),
    );
    return { status: 200, body: { deadLetters: rows.map((r) => deadLetterJson(r)) } };
  }

  async #deadLetter(idText: string, _query: Query): Promise<ApiAnswer> {
    if (!/^\d{1,15}$/.test(idText))
      throw new BadRequest(`dead letter id must be a whole number, got ${JSON.stringify(decodeURIComponent(idText))}`);
    const rows = await this.#select(
      selectDeadLetters(this.#reader.config.sink.deadLetterTable, { id: Number(idText) }, { limit: 1, bytes: true }),
    );
    const row = rows[0];
    if (row === undefined) return { status: 404, body: { error: `no dead letter with id ${idText}` } };
    return {
      status: 200,
      body: {
        ...deadLetterJson(row),
        keyHex: hex(row.key as Buffer | null),
        valueHex: hex(row.value as Buffer | null),
        hexTruncated: ((row.value as Buffer | null)?.length ?? 0) > MAX_HEX_BYTES,
      },
    };
  }

  async #peek(query: Query): Promise<ApiAnswer> {
    const topic = this.#topic(query, true)!;
    const partition = query.integer('partition', 0, 1_000_000);
    if (partition === undefined) throw new BadRequest('query parameter "partition" is required');
    const count = query.integer('count', 1, MAX_PEEK) ?? 10;
    const kafka = await this.#reader.kafka();
    const cluster = await kafka.cluster();
    const partitions = cluster.topics.get(topic)?.partitions ?? [];
    if (!partitions.includes(partition))
      throw new BadRequest(`topic ${topic} has no partition ${partition} (it has ${partitions.length})`);
    const { low, high } = await kafka.watermarks(topic, partition);
    const records = await peekRecords(kafkaAddress(this.#reader.config), topic, partition, { low, end: high, count });
    return {
      status: 200,
      body: { topic, partition, end: high, records: await decodeForPeek(this.#registry.schemas, records) },
    };
  }

  async #select(query: Parameters<typeof selectRows>[1]) {
    try {
      return await selectRows(this.#reader.pool, query);
    } catch (error) {
      if (isNoSuchTable(error)) return [];
      throw new SinkError('DB_FATAL', `database: ${describeError(error)}`, { retriable: true });
    }
  }
}

function hex(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytes.subarray(0, MAX_HEX_BYTES).toString('hex');
}

function deadLetterJson(row: Record<string, unknown>): Record<string, unknown> {
  return {
    id: Number(row.id),
    topic: row.topic,
    partition: Number(row.partition),
    offset: Number(row.offset),
    group: row.group,
    reason: row.reason,
    message: row.message,
    recordTimestamp: row.recordTimestamp ?? null,
    createdAt: row.createdAt,
    keyBytes: row.keyBytes === null ? null : Number(row.keyBytes),
    valueBytes: row.valueBytes === null ? null : Number(row.valueBytes),
  };
}
