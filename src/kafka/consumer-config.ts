/**
 * The librdkafka settings of one topic's consumer: tuned defaults, overridden by the operator's
 * `kafka.consumer.*` pass-through, overridden in turn by what the offset protocol depends on (never
 * overridable). Pure, so the exact settings are unit-tested.
 */
export interface TopicConsumerOptions {
  readonly topic: string;
  readonly group: string;
  readonly bootstrapServers: string;
  readonly clientId: string;
  readonly sessionTimeoutMs: number;
  readonly fetchMaxBytes: number;
  readonly maxPollRecords: number;
  readonly pollIntervalMs: number;
  /** How often committed positions are also committed to Kafka as a hint for lag tools; 0 = never. */
  readonly offsetHintIntervalMs: number;
  /** Static membership (KIP-345): this member's `group.instance.id`; undefined for dynamic membership. */
  readonly groupInstanceId?: string;
  /** `kafka.consumer.*` keys, passed to librdkafka as they are. */
  readonly extra: Readonly<Record<string, string>>;
  /** The security settings every Kafka client of the sink uses (security-config.ts). */
  readonly security?: Readonly<Record<string, string>>;
}

/** Tuned defaults (docs/benchmarks.md says how each was measured); `kafka.consumer.<key>` overrides them. */
function tunedDefaults(options: TopicConsumerOptions): Record<string, number> {
  return {
    // Read by the record fetcher (fetch-options.ts): bytes per partition in one fetch answer. librdkafka
    // itself never fetches, every partition it assigns stays paused.
    'max.partition.fetch.bytes': 262_144,
    // Members learn of a rebalance from a heartbeat answer. At the 3 s default, an instance joining a busy
    // group left partitions unowned for up to 6 s (two cooperative rounds): 2 instances drained 0.74× as
    // fast as one; at 500 ms, 1.0×. Kept under a third of the session timeout, as Kafka advises.
    'heartbeat.interval.ms': Math.min(500, Math.floor(options.sessionTimeoutMs / 3)),
    // After a broker outage the client reconnects on a backoff that grows to this (default 10 s): the
    // sink then sat idle up to 10 s after the broker was back (sink-kafka-outage.test.ts). One attempt
    // per second per broker while it is down costs nothing.
    'reconnect.backoff.max.ms': 1000,
  };
}

export function consumerConfig(options: TopicConsumerOptions): Readonly<Record<string, string | number | boolean>> {
  // librdkafka parses numbers given as text itself, and names the property when one is not valid.
  return Object.freeze({
    ...tunedDefaults(options),
    ...options.extra,
    ...options.security,
    'bootstrap.servers': options.bootstrapServers,
    'group.id': options.group,
    ...(options.groupInstanceId === undefined ? {} : { 'group.instance.id': options.groupInstanceId }),
    'client.id': options.clientId,
    'session.timeout.ms': options.sessionTimeoutMs,
    'fetch.max.bytes': options.fetchMaxBytes,
    // Offsets live in kafka_offsets, written in the batch's transaction. Kafka's committed offsets are
    // only a hint for lag tools, committed explicitly (TopicConsumer.hintCommitted), never automatically.
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'partition.assignment.strategy': 'cooperative-sticky',
    'socket.keepalive.enable': true,
    'log.connection.close': false,
  });
}
