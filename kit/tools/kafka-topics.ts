/**
 * Topic creation and deletion for `provision`, through the native admin client (callback API).
 * Deletion is asynchronous on the broker: a topic is only gone once metadata stops listing it, and a
 * create issued before that fails with "already exists / marked for deletion", so both are waited out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Kafka from '@confluentinc/kafka-javascript';
import type { SinkConfig } from '../../src/config/index.ts';
import { SinkError } from '../../src/core/errors.ts';
import {
  KAFKA_TIMEOUT_MS,
  kafkaAddress,
  kafkaUnavailable,
  type KafkaAddress,
  clientSettings,
  type MetadataClient,
} from '../../src/kafka/metadata-client.ts';

const TOPIC_ALREADY_EXISTS = 36;
/** How long a deleted topic may take to disappear before a re-create gives up. */
const DELETE_SETTLE_MS = 60_000;

type Admin = ReturnType<typeof Kafka.AdminClient.create>;

export interface TopicRequest {
  readonly topic: string;
  readonly partitions: number;
  readonly replication: number;
}

export type TopicOutcome = 'created' | 'exists';

export class TopicAdmin {
  readonly #address: KafkaAddress;
  readonly #admin: Admin;
  readonly #metadata: MetadataClient;

  /** `metadata` tells when a deleted topic is really gone; the caller owns (and closes) it. */
  constructor(config: SinkConfig, metadata: MetadataClient) {
    this.#address = kafkaAddress(config);
    this.#metadata = metadata;
    this.#admin = Kafka.AdminClient.create({
      ...clientSettings(this.#address),
      'client.id': `${config.kafka.clientId}-admin`,
      log_level: 0,
    });
  }

  /** Creates the topic unless it exists; an existing one with fewer partitions is an error, not resized. */
  async ensure(request: TopicRequest, existingPartitions: number | undefined): Promise<TopicOutcome> {
    if (existingPartitions !== undefined) {
      checkPartitions(request, existingPartitions);
      return 'exists';
    }
    const deadline = Date.now() + DELETE_SETTLE_MS;
    for (;;) {
      try {
        await this.#create(request);
        return 'created';
      } catch (error) {
        if ((error as { code?: number }).code !== TOPIC_ALREADY_EXISTS) {
          throw kafkaUnavailable(this.#address, `refused to create topic ${JSON.stringify(request.topic)}`, error);
        }
        // Either created meanwhile by someone else (fine if big enough) or still being deleted (wait).
        const now = (await this.#metadata.cluster()).topics.get(request.topic);
        if (now !== undefined && now.partitions.length > 0) {
          checkPartitions(request, now.partitions.length);
          return 'exists';
        }
        if (Date.now() > deadline) {
          throw new SinkError(
            'KAFKA_UNAVAILABLE',
            `topic ${JSON.stringify(request.topic)} is still being deleted after ${DELETE_SETTLE_MS / 1000} s; try again later`,
          );
        }
        await sleep(500);
      }
    }
  }

  /** Deletes the topic and waits until the cluster's metadata no longer lists it. */
  async delete(topic: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#admin.deleteTopic(topic, KAFKA_TIMEOUT_MS, (error) => {
        if (error && (error as { code?: number }).code !== Kafka.CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART) {
          reject(kafkaUnavailable(this.#address, `refused to delete topic ${JSON.stringify(topic)}`, error));
        } else resolve();
      });
    });
    const deadline = Date.now() + DELETE_SETTLE_MS;
    while ((await this.#metadata.cluster()).topics.has(topic)) {
      if (Date.now() > deadline)
        throw new SinkError(
          'KAFKA_UNAVAILABLE',
          `topic ${JSON.stringify(topic)} was still listed ${DELETE_SETTLE_MS / 1000} s after its deletion`,
        );
      await sleep(250);
    }
  }

  close(): void {
    try {
      this.#admin.disconnect();
    } catch {
      // Already torn down: nothing left to release.
    }
  }

  #create(request: TopicRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#admin.createTopic(
        { topic: request.topic, num_partitions: request.partitions, replication_factor: request.replication },
        KAFKA_TIMEOUT_MS,
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }
}

export function checkPartitions(request: TopicRequest, existing: number): void {
  if (existing < request.partitions) {
    throw new SinkError(
      'USAGE',
      `topic ${JSON.stringify(request.topic)} exists with ${existing} partition${existing === 1 ? '' : 's'}, ` +
        `fewer than the ${request.partitions} requested; ` +
        `pass --partitions ${existing} to keep it, or --reset to delete and recreate it (its records are lost)`,
    );
  }
}
