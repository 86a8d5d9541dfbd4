/**
 * `status`: where the sink stands per partition — committed offset (kafka_offsets), Kafka end offset,
 * lag and dead letters. Reads no data tables, so it stays cheap to refresh on a large backlog.
 */
import type { SinkConfig } from '../../src/config/index.ts';
import { PartitionProbe, type TopicState } from './partition-snapshot.ts';
import { cell, formatTable } from './text-table.ts';

export interface PartitionStatus {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
  readonly committed: number | null;
  readonly end: number;
  /** end - committed; the whole partition when the sink has no offset row yet. */
  readonly lag: number;
  readonly dead: number;
}

export interface StatusResult {
  readonly partitions: readonly PartitionStatus[];
  /** Configured topics Kafka does not have. */
  readonly missingTopics: readonly string[];
  readonly at: Date;
}

/** One reading through an open probe (`--watch` keeps one open); see `status` for a one-off. */
export async function readStatus(probe: PartitionProbe): Promise<StatusResult> {
  return statusFrom(await probe.snapshot({ rows: false }));
}

export async function status(config: SinkConfig): Promise<StatusResult> {
  const probe = await PartitionProbe.open(config);
  try {
    return await readStatus(probe);
  } finally {
    await probe.close();
  }
}

export function statusFrom(topics: readonly TopicState[], at = new Date()): StatusResult {
  const partitions = topics.flatMap((topic) =>
    topic.partitions.map(
      (p): PartitionStatus => ({
        topic: p.topic,
        partition: p.partition,
        group: p.group,
        committed: p.stored,
        end: p.end,
        lag: Math.max(0, p.end - (p.stored ?? 0)),
        dead: p.dead,
      }),
    ),
  );
  return { partitions, missingTopics: topics.filter((t) => !t.inKafka).map((t) => t.topic), at };
}

const COLUMNS = [
  { header: 'topic' },
  { header: 'partition', align: 'right' },
  { header: 'group' },
  { header: 'committed', align: 'right' },
  { header: 'end', align: 'right' },
  { header: 'lag', align: 'right' },
  { header: 'dead', align: 'right' },
] as const;

export function formatStatus(result: StatusResult): string[] {
  const rows = result.partitions.map((p) => [
    p.topic,
    String(p.partition),
    p.group,
    cell(p.committed),
    String(p.end),
    String(p.lag),
    String(p.dead),
  ]);
  const sum = (pick: (p: PartitionStatus) => number): number =>
    result.partitions.reduce((total, p) => total + pick(p), 0);
  const total =
    `total: lag ${sum((p) => p.lag)} of ${sum((p) => p.end)} records, ` +
    `${sum((p) => p.dead)} dead letters (${result.at.toISOString()})`;
  return [
    ...formatTable(COLUMNS, rows),
    ...result.missingTopics.map((t) => `topic ${JSON.stringify(t)} does not exist in Kafka`),
    total,
  ];
}
