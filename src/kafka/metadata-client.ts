/**
 * The one short-lived Kafka client for what the cluster knows: its brokers, its topics with their
 * partitions, and partition end offsets. One connected native handle serves all of it (a consumer that
 * never subscribes), so a caller that polls (`verify --wait`, `status --watch`, the stack's readiness
 * check) does not reconnect. Every failure becomes one KAFKA_UNAVAILABLE line naming the bootstrap
 * servers and the fix (`kafkaUnavailable`, also used by the consumer and the kit's admin and producer).
 */
import Kafka from '@confluentinc/kafka-javascript';
import type { SinkConfig } from '../config/index.ts';
import { SinkError, describeError } from '../core/errors.ts';
import { type KafkaSecurity, kafkaSecurity } from './security-config.ts';
import { connectChecked } from './security-errors.ts';

/** Long enough for a busy broker, short enough that a wrong address fails well inside ~15 s. */
export const KAFKA_TIMEOUT_MS = 8_000;

/** Where a client connects, and for the error's fix, where that setting came from. */
export interface KafkaAddress {
  /** `host:port[,host:port…]`, as librdkafka's `bootstrap.servers` takes it. */
  readonly bootstrapServers: string;
  /** Origin of `kafka.bootstrap.servers` (file, environment, default…); unknown outside a config. */
  readonly origin?: string;
  /** librdkafka security settings (security-config.ts); none = plaintext. */
  readonly security?: KafkaSecurity;
}

/** What every client of the address is created with: the brokers and the security settings. */
export function clientSettings(address: KafkaAddress): Record<string, string> {
  return { 'bootstrap.servers': address.bootstrapServers, ...address.security };
}

export interface TopicInfo {
  readonly name: string;
  /** Partition ids, ascending. */
  readonly partitions: readonly number[];
}

export interface ClusterView {
  readonly brokers: number;
  /** Every topic the cluster knows, by name. */
  readonly topics: ReadonlyMap<string, TopicInfo>;
}

export function kafkaAddress(config: SinkConfig): KafkaAddress {
  return {
    bootstrapServers: config.kafka.bootstrapServers.join(','),
    origin: config.origins['kafka.bootstrap.servers'] ?? 'default',
    security: kafkaSecurity(config),
  };
}

/** The one wording of "Kafka did not answer": what failed, the client's reason, and the fix. */
export function kafkaUnavailable(address: KafkaAddress, what: string, error: unknown): SinkError {
  const from = address.origin === undefined ? '' : ` (from ${address.origin})`;
  return new SinkError(
    'KAFKA_UNAVAILABLE',
    `Kafka at ${address.bootstrapServers} ${what}: ${describeError(error)}; ` +
      `check kafka.bootstrap.servers${from} or start the local stack with ./kms stack up`,
    { retriable: true, cause: error },
  );
}

export interface MetadataClientOptions {
  /** Shown in the broker's logs. */
  readonly clientId?: string;
  /** Connection set-up and every request; default KAFKA_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

export class MetadataClient {
  readonly #address: KafkaAddress;
  readonly #client: Kafka.KafkaConsumer;
  readonly #timeoutMs: number;

  private constructor(address: KafkaAddress, client: Kafka.KafkaConsumer, timeoutMs: number) {
    this.#address = address;
    this.#client = client;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Connects to the configured cluster (client id `<kafka.client.id>-tools`), or to an address outside
   * any configuration (the local stack's readiness check).
   */
  static open(target: SinkConfig | KafkaAddress, options: MetadataClientOptions = {}): Promise<MetadataClient> {
    const address = 'kafka' in target ? kafkaAddress(target) : target;
    const clientId = options.clientId ?? ('kafka' in target ? `${target.kafka.clientId}-tools` : 'kms-metadata');
    const timeoutMs = options.timeoutMs ?? KAFKA_TIMEOUT_MS;
    // A consumer that never subscribes (so never joins its group): unlike a producer, it reports a
    // refused login or TLS handshake as an event while connecting, which connectChecked turns into one line.
    const client = new Kafka.KafkaConsumer(
      {
        ...clientSettings(address),
        'client.id': clientId,
        'group.id': `${clientId}-metadata`,
        'enable.auto.commit': false,
        'socket.connection.setup.timeout.ms': timeoutMs,
        log_level: 0,
      },
      {},
    );
    const within = `did not answer within ${Math.round(timeoutMs / 1000)} s`;
    return connectChecked(client, address, timeoutMs, (error) => kafkaUnavailable(address, within, error)).then(
      () => new MetadataClient(address, client, timeoutMs),
    );
  }

  /** One metadata round trip: proves a broker really answers. */
  cluster(): Promise<ClusterView> {
    return new Promise((resolve, reject) => {
      this.#client.getMetadata({ timeout: this.#timeoutMs }, (error, metadata) => {
        if (error) {
          reject(kafkaUnavailable(this.#address, 'gave no metadata', error));
          return;
        }
        const topics = new Map<string, TopicInfo>();
        for (const topic of metadata.topics) {
          const partitions = topic.partitions.map((p) => p.id).sort((a, b) => a - b);
          topics.set(topic.name, { name: topic.name, partitions });
        }
        resolve({ brokers: metadata.brokers.length, topics });
      });
    });
  }

  /** High watermark: the offset the next produced record of the partition will get. */
  async endOffset(topic: string, partition: number): Promise<number> {
    return (await this.#watermarks(topic, partition, 'end offset')).high;
  }

  /** Earliest available offset (retention) and high watermark of one partition. */
  watermarks(topic: string, partition: number): Promise<{ low: number; high: number }> {
    return this.#watermarks(topic, partition, 'offsets');
  }

  /** `what` names what the caller wanted in the error ("gave no end offset for t/0"). */
  #watermarks(topic: string, partition: number, what: string): Promise<{ low: number; high: number }> {
    return new Promise((resolve, reject) => {
      this.#client.queryWatermarkOffsets(topic, partition, this.#timeoutMs, (error, offsets) => {
        if (error) reject(kafkaUnavailable(this.#address, `gave no ${what} for ${topic}/${partition}`, error));
        else resolve({ low: Number(offsets.lowOffset), high: Number(offsets.highOffset) });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#client.disconnect(() => resolve());
    });
  }
}

/** Opens a client, runs `work`, always closes the handle (an open one keeps the process alive). */
export async function withMetadataClient<T>(
  target: SinkConfig | KafkaAddress,
  work: (client: MetadataClient) => Promise<T>,
  options: MetadataClientOptions = {},
): Promise<T> {
  const client = await MetadataClient.open(target, options);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
