import type { TopicConsumerOptions } from '../../../src/kafka/consumer-config.ts';

/** A consumer's options as the sink builds them from the defaults (dataset1), with `overrides`. */
export function consumerOptions(overrides: Partial<TopicConsumerOptions> = {}): TopicConsumerOptions {
  return {
    topic: 'dataset1',
    group: 'group-dataset1',
    bootstrapServers: '127.0.0.1:9092',
    clientId: 'kms-1',
    sessionTimeoutMs: 10_000,
    fetchMaxBytes: 1_048_576,
    maxPollRecords: 500,
    pollIntervalMs: 100,
    offsetHintIntervalMs: 5000,
    extra: {},
    ...overrides,
  };
}
