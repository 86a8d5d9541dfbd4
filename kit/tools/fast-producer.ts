/**
 * The native producer behind `produce`, built to never be the bottleneck of a sink benchmark: librdkafka
 * batches (linger, 10k-message batches, lz4), idempotent delivery with acks=all (a retried batch can never
 * duplicate or reorder records), and only failed deliveries reported.
 */
import Kafka from '@confluentinc/kafka-javascript';
import type { SinkConfig } from '../../src/config/index.ts';
import { clientSettings, kafkaAddress, kafkaUnavailable } from '../../src/kafka/metadata-client.ts';
import { connectChecked } from '../../src/kafka/security-errors.ts';

/** How long a record may wait for its acknowledgement, and a flush for all of them. */
const FLUSH_TIMEOUT_MS = 60_000;

/** A producer tuned for throughput, connected; fails with the one "Kafka did not answer" line. */
export function connectProducer(config: SinkConfig): Promise<Kafka.Producer> {
  const producer = new Kafka.Producer({
    ...clientSettings(kafkaAddress(config)),
    'client.id': `${config.kafka.clientId}-produce`,
    'linger.ms': 10,
    'batch.num.messages': 10_000,
    'batch.size': 1_000_000,
    'compression.codec': 'lz4',
    acks: -1,
    'enable.idempotence': true,
    'queue.buffering.max.messages': 200_000,
    // Java's default partitioner: the same key lands on the same partition as with the seed's producer.
    partitioner: 'murmur2_random',
    dr_cb: true,
    'delivery.report.only.error': true,
    'message.timeout.ms': FLUSH_TIMEOUT_MS,
    'socket.connection.setup.timeout.ms': 8_000,
    log_level: 0,
  });
  const address = kafkaAddress(config);
  return connectChecked(producer, address, 8_000, (error) =>
    kafkaUnavailable(address, 'did not answer within 8 s', error),
  ).then(() => {
    producer.setPollInterval(50);
    return producer;
  });
}

/** Waits until every record sent is acknowledged (or FLUSH_TIMEOUT_MS passes). */
export function flushProducer(config: SinkConfig, producer: Kafka.Producer): Promise<void> {
  return new Promise((resolve, reject) => {
    producer.flush(FLUSH_TIMEOUT_MS, (error) => {
      if (error)
        reject(
          kafkaUnavailable(
            kafkaAddress(config),
            `did not acknowledge every record within ${FLUSH_TIMEOUT_MS / 1000} s`,
            error,
          ),
        );
      else resolve();
    });
  });
}

export function disconnectProducer(producer: Kafka.Producer): Promise<void> {
  return new Promise((resolve) => {
    if (!producer.isConnected()) {
      resolve();
      return;
    }
    producer.setPollInterval(0);
    producer.disconnect(() => resolve());
  });
}
