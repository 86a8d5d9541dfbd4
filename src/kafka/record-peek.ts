/**
 * Reads the last records of one partition for the status page's record peek (what people used Kafdrop
 * for). A plain assigned consumer: it joins no group and commits nothing, so it can never move the
 * sink's position or trigger a rebalance.
 */
import Kafka from '@confluentinc/kafka-javascript';
import type { KafkaRecord } from '../core/records.ts';
import { type KafkaAddress, clientSettings, kafkaUnavailable } from './metadata-client.ts';
import { connectChecked } from './security-errors.ts';

const PEEK_TIMEOUT_MS = 5_000;

/** Up to `count` records ending at `end` (the high watermark), oldest first; fewer when the partition has fewer. */
export async function peekRecords(
  address: KafkaAddress,
  topic: string,
  partition: number,
  range: { low: number; end: number; count: number },
): Promise<KafkaRecord[]> {
  const start = Math.max(range.low, range.end - range.count);
  if (start >= range.end) return [];
  const consumer = new Kafka.KafkaConsumer(
    {
      ...clientSettings(address),
      // Required by librdkafka even without subscribing; assign() never joins it.
      'group.id': 'kms-status-peek',
      'client.id': 'kms-status-peek',
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'socket.connection.setup.timeout.ms': PEEK_TIMEOUT_MS,
      log_level: 0,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  // Like every other client: a refused login or TLS handshake is one line naming the keys, not a timeout.
  await connectChecked(consumer, address, PEEK_TIMEOUT_MS, (error) =>
    kafkaUnavailable(address, 'refused the record peek', error),
  );
  try {
    consumer.assign([{ topic, partition, offset: start }]);
    const out: KafkaRecord[] = [];
    const deadline = Date.now() + PEEK_TIMEOUT_MS;
    while (Date.now() < deadline && (out.at(-1)?.offset ?? start - 1) < range.end - 1) {
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) =>
        consumer.consume(range.count, (error, messages) => (error ? reject(error) : resolve(messages))),
      );
      for (const m of batch) {
        if (m.offset >= start && m.offset < range.end) {
          out.push({
            topic: m.topic,
            partition: m.partition,
            offset: m.offset,
            timestamp: m.timestamp,
            key: (m.key as Buffer | null | undefined) ?? null,
            value: m.value,
          });
        }
      }
    }
    return out;
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}
