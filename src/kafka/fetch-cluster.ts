/**
 * What the record fetcher needs from the cluster besides records: which broker leads each partition,
 * which Fetch version the brokers speak, where a partition's log starts, and a connection per broker.
 * The pure-JavaScript client (@platformatic/kafka) serves metadata and offsets; it never joins the
 * group (librdkafka's member does that, topic-consumer.ts).
 */
import { ConnectionPool, Consumer } from '@platformatic/kafka';
import { SinkError } from '../core/errors.ts';
import type { FetchOptions } from './fetch-options.ts';
import {
  FETCH_API_KEY,
  FETCH_VERSIONS,
  type FetchAnswer,
  type FetchCall,
  type FetchRequest,
  type FetchVersion,
  fetchCall,
} from './fetch-response.ts';

export interface Broker {
  readonly host: string;
  readonly port: number;
}

export interface Leaders {
  readonly topicId: string;
  /** Node id of each partition's leader, by partition. */
  readonly leaders: readonly number[];
  readonly brokers: ReadonlyMap<number, Broker>;
}

export class FetchCluster {
  readonly #topic: string;
  readonly #client: Consumer;
  readonly #connections: ConnectionPool;
  /** The Fetch version both sides speak, chosen at the first metadata lookup. */
  #fetch: FetchCall | undefined;

  constructor(topic: string, group: string, options: FetchOptions) {
    this.#topic = topic;
    const security = {
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
    };
    this.#client = new Consumer({
      groupId: group,
      clientId: options.clientId,
      bootstrapBrokers: options.bootstrapBrokers,
      connectTimeout: options.connectTimeout,
      // Retried by the fetcher, with backoff and one WARN per cause, not inside the client.
      retries: 0,
      ...security,
    });
    this.#connections = new ConnectionPool(options.clientId, { connectTimeout: options.connectTimeout, ...security });
  }

  async leaders(): Promise<Leaders> {
    const metadata = await this.#client.metadata({ topics: [this.#topic], forceUpdate: true });
    const topic = metadata.topics.get(this.#topic);
    if (topic === undefined) throw new Error(`topic ${this.#topic} has no metadata`);
    this.#fetch ??= fetchCall(await this.#fetchVersion());
    return { topicId: topic.id, leaders: topic.partitions.map((p) => p.leader), brokers: metadata.brokers };
  }

  /** Sends one Fetch to `broker`; only after leaders() has answered once (it chooses the version). */
  fetch(broker: Broker, request: FetchRequest, callback: (error: Error | null, answer?: FetchAnswer) => void): void {
    const fetch = this.#fetch;
    if (fetch === undefined) {
      callback(new Error('no Fetch version chosen yet'));
      return;
    }
    this.#connections.get(broker, (connectError, connection) => {
      if (connectError || connection === undefined) callback(connectError ?? new Error('no connection'));
      else fetch(connection, request, callback);
    });
  }

  /** The partition's log start offset: records below it were deleted by retention. */
  async earliest(partition: number): Promise<number> {
    const offsets = await this.#client.listOffsets({
      topics: [this.#topic],
      partitions: { [this.#topic]: [partition] },
      timestamp: -2n,
    });
    return Number(offsets.get(this.#topic)?.[partition] ?? 0n);
  }

  async close(): Promise<void> {
    await this.#connections.close().catch(() => {});
    await this.#client.close(true).catch(() => {});
  }

  async #fetchVersion(): Promise<FetchVersion> {
    const fetch = (await this.#client.listApis()).find((api) => api.apiKey === FETCH_API_KEY);
    const version = Math.min(fetch?.maxVersion ?? -1, FETCH_VERSIONS.max);
    if (fetch === undefined || version < FETCH_VERSIONS.min || version < fetch.minVersion) {
      throw new SinkError(
        'KAFKA_UNAVAILABLE',
        `the broker serves Fetch versions ${fetch?.minVersion ?? '-'} to ${fetch?.maxVersion ?? '-'}; ` +
          `the sink needs ${FETCH_VERSIONS.min} (Kafka 3.1 or later)`,
      );
    }
    return version as FetchVersion;
  }
}
