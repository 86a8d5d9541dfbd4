/**
 * A short-lived native Kafka client for the operator tools: cluster metadata and partition end offsets.
 * One connected producer handle serves both (it never produces here), so `verify --wait` and
 * `status --watch` poll without reconnecting. Every failure becomes one KAFKA_UNAVAILABLE line that
 * names the bootstrap servers, never a librdkafka stack.
 */
import Kafka from '@confluentinc/kafka-javascript';
import type { SinkConfig } from '../../src/config/index.ts';
import { SinkError, describeError } from '../../src/core/errors.ts';

/** Long enough for a busy broker, short enough that a wrong address fails well inside ~15 s. */
export const KAFKA_TIMEOUT_MS = 8_000;

export interface TopicInfo {
  readonly name: string;
  readonly partitions: readonly number[];
}

export interface ClusterView {
  readonly brokers: number;
  /** Every topic the cluster knows, by name. */
  readonly topics: ReadonlyMap<string, TopicInfo>;
}

export function bootstrapText(config: SinkConfig): string {
  return config.kafka.bootstrapServers.join(',');
}

/** The one wording of "Kafka did not answer", shared by every tool. */
export function kafkaUnavailable(config: SinkConfig, what: string, error: unknown): SinkError {
  return new SinkError(
    'KAFKA_UNAVAILABLE',
    `Kafka at ${bootstrapText(config)} ${what}: ${describeError(error)}; check kafka.bootstrap.servers (from ${config.origins['kafka.bootstrap.servers'] ?? 'default'}) or start the local stack with ./kms stack up`,
    { retriable: true, cause: error },
  );
}

export class KafkaSession {
  readonly #config: SinkConfig;
  readonly #client: Kafka.Producer;

  private constructor(config: SinkConfig, client: Kafka.Producer) {
    this.#config = config;
    this.#client = client;
  }

  static open(config: SinkConfig, timeoutMs = KAFKA_TIMEOUT_MS): Promise<KafkaSession> {
    const client = new Kafka.Producer({
      'bootstrap.servers': bootstrapText(config),
      'client.id': `${config.kafka.clientId}-tools`,
      'socket.connection.setup.timeout.ms': timeoutMs,
      log_level: 0,
    });
    return new Promise((resolve, reject) => {
      client.connect({ timeout: timeoutMs }, (error) => {
        // A handle whose connect failed is already torn down: disconnecting it again would throw.
        if (error) {
          reject(kafkaUnavailable(config, `did not answer within ${Math.round(timeoutMs / 1000)} s`, error));
          return;
        }
        resolve(new KafkaSession(config, client));
      });
    });
  }

  cluster(timeoutMs = KAFKA_TIMEOUT_MS): Promise<ClusterView> {
    return new Promise((resolve, reject) => {
      this.#client.getMetadata({ timeout: timeoutMs }, (error, metadata) => {
        if (error) {
          reject(kafkaUnavailable(this.#config, 'gave no metadata', error));
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
  endOffset(topic: string, partition: number, timeoutMs = KAFKA_TIMEOUT_MS): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#client.queryWatermarkOffsets(topic, partition, timeoutMs, (error, offsets) => {
        if (error) reject(kafkaUnavailable(this.#config, `gave no end offset for ${topic}/${partition}`, error));
        else resolve(Number(offsets.highOffset));
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#client.disconnect(() => resolve());
    });
  }
}

/** Opens a session, runs `work`, always closes the handle (an open one keeps the process alive). */
export async function withKafka<T>(config: SinkConfig, work: (session: KafkaSession) => Promise<T>): Promise<T> {
  const session = await KafkaSession.open(config);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
