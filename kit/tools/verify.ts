/**
 * `verify`: proves exactly-once per partition, the check the seed's demo did by hand (kill the consumer,
 * restart it, compare Kafka's offsets with `kafka_offsets`). A partition matches when
 *   stored offset == Kafka end offset, and rows + dead letters == end offset,
 *   and (provenance columns on) no offset appears twice, none beyond the end, none both as row and dead letter.
 *
 * Keyed tables (`sink.pk.mode=record_key`, `record_value` with upsert / update / ignore, any update
 * mode) keep one row per key, and deletes and skipped updates leave none, so rows + dead letters may be
 * fewer than the end offset, never more; the table must have a primary key and no key value twice; the
 * other checks are the same.
 *
 * Assumption: a partition's offsets are 0 .. end-1 with no gaps, so the record count equals the end
 * offset. That holds for topics created by `provision` and filled by `produce` (no compaction, no
 * transactional producer, no retention deletes). Compacted topics, transaction markers or deleted
 * segments make fewer records than offsets, and verify would then report them as missing.
 */
import type { SinkConfig } from '../../src/config/index.ts';
import { PartitionProbe, type PartitionState, type TopicState } from './partition-snapshot.ts';
import { cell, formatTable } from './text-table.ts';

export interface VerifyOptions {
  /** Poll until everything matches or `timeoutSeconds` pass. */
  readonly wait?: boolean;
  /** Default 120. */
  readonly timeoutSeconds?: number;
  /** Between polls while waiting; default 1000. */
  readonly intervalMs?: number;
  /** Called after every poll that did not match yet, while waiting. */
  readonly onPoll?: (result: VerifyResult, elapsedSeconds: number) => void;
}

export interface PartitionVerdict {
  readonly topic: string;
  /** 'all' for the whole-topic check used when provenance columns are off. */
  readonly partition: number | 'all';
  readonly group: string;
  readonly end: number;
  readonly stored: number | null;
  readonly rows: number | null;
  readonly dead: number;
  readonly duplicates: number | null;
  readonly ok: boolean;
  /** Why it does not match; empty when ok. */
  readonly problems: readonly string[];
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly partitions: readonly PartitionVerdict[];
  /** Topic-level problems (topic missing in Kafka, a keyed table with a key value twice). */
  readonly problems: readonly string[];
  /** Keyed tables checked for repeated keys: table and key columns. */
  readonly keyedTables?: readonly { readonly table: string; readonly columns: readonly string[] }[];
  readonly seconds: number;
}

export async function verify(config: SinkConfig, options: VerifyOptions = {}): Promise<VerifyResult> {
  const started = performance.now();
  const deadline = started + (options.timeoutSeconds ?? 120) * 1000;
  const probe = await PartitionProbe.open(config);
  try {
    for (;;) {
      const keyed = isKeyed(config);
      const snapshot = await probe.snapshot({ rows: true, keys: keyed });
      const result = judge(snapshot, (performance.now() - started) / 1000, { keyed });
      if (result.ok || options.wait !== true || performance.now() >= deadline) return result;
      options.onPoll?.(result, result.seconds);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(options.intervalMs ?? 1000, Math.max(0, deadline - performance.now()))),
      );
    }
  } finally {
    await probe.close();
  }
}

/** Whether the config keeps one row per key (rather than one per record). */
export function isKeyed(config: SinkConfig): boolean {
  const { pkMode, insertMode } = config.sink;
  return pkMode === 'record_key' || insertMode === 'update' || (pkMode === 'record_value' && insertMode !== 'insert');
}

export interface JudgeOptions {
  /** One row per key (upsert / ignore on sink.pk.fields): fewer rows than records is expected. */
  readonly keyed?: boolean;
}

export function judge(topics: readonly TopicState[], seconds = 0, options: JudgeOptions = {}): VerifyResult {
  const partitions: PartitionVerdict[] = [];
  const problems: string[] = [];
  const keyedTables: { table: string; columns: readonly string[] }[] = [];
  for (const topic of topics) {
    if (topic.keys !== undefined && topic.keys.columns.length > 0 && topic.keys.duplicated === 0) {
      keyedTables.push({ table: topic.table, columns: topic.keys.columns });
    }
    if (!topic.inKafka) {
      problems.push(`topic ${JSON.stringify(topic.topic)} does not exist in Kafka`);
      continue;
    }
    if (topic.keys !== undefined && topic.keys.columns.length === 0) {
      problems.push(`table ${topic.table} of topic ${topic.topic} has no primary key, so keys can repeat`);
    } else if (topic.keys !== undefined && topic.keys.duplicated > 0) {
      problems.push(
        `table ${topic.table} of topic ${topic.topic}: ${topic.keys.duplicated} key values of (${topic.keys.columns.join(', ')}) appear more than once`,
      );
    }
    for (const state of topic.partitions) partitions.push(verdict(state, options.keyed === true));
    if (topic.totalRows !== null) partitions.push(topicVerdict(topic, topic.totalRows, options.keyed === true));
  }
  const ok = problems.length === 0 && partitions.every((p) => p.ok);
  return { ok, partitions, problems, seconds, ...(keyedTables.length > 0 ? { keyedTables } : {}) };
}

function verdict(state: PartitionState, keyed: boolean): PartitionVerdict {
  const problems: string[] = [];
  const { end, stored, rows, dead, duplicates } = state;
  if (stored === null) {
    if (end > 0) problems.push('no offset row');
  } else if (stored < end) problems.push(`offset ${end - stored} behind`);
  else if (stored > end) problems.push(`offset ${stored - end} beyond end`);
  if (rows !== null) {
    const written = rows + dead;
    if (written < end && !keyed) problems.push(`${end - written} missing`);
    else if (written > end) problems.push(`${written - end} extra`);
  }
  if (duplicates !== null && duplicates > 0) problems.push(`${duplicates} duplicated`);
  if (state.maxOffset !== null && state.maxOffset >= end) problems.push('rows beyond end offset');
  return {
    topic: state.topic,
    partition: state.partition,
    group: state.group,
    end,
    stored,
    rows,
    dead,
    duplicates,
    ok: problems.length === 0,
    problems,
  };
}

/** Without provenance columns rows cannot be told apart by partition: only the topic's total is checked. */
function topicVerdict(topic: TopicState, totalRows: number, keyed: boolean): PartitionVerdict {
  const end = topic.partitions.reduce((sum, p) => sum + p.end, 0);
  const dead = topic.partitions.reduce((sum, p) => sum + p.dead, 0);
  const written = totalRows + dead;
  const problems =
    written < end && !keyed ? [`${end - written} missing`] : written > end ? [`${written - end} extra`] : [];
  return {
    topic: topic.topic,
    partition: 'all',
    group: topic.group,
    end,
    stored: null,
    rows: totalRows,
    dead,
    duplicates: null,
    ok: problems.length === 0,
    problems,
  };
}

const COLUMNS = [
  { header: 'topic' },
  { header: 'partition', align: 'right' },
  { header: 'end', align: 'right' },
  { header: 'stored', align: 'right' },
  { header: 'rows', align: 'right' },
  { header: 'dead', align: 'right' },
  { header: 'dup', align: 'right' },
  { header: 'status' },
] as const;

/** The table `kms verify` prints, then the PASS / FAIL line. */
export function formatVerify(result: VerifyResult): string[] {
  const rows = result.partitions.map((p) => [
    p.topic,
    String(p.partition),
    String(p.end),
    cell(p.stored),
    cell(p.rows),
    String(p.dead),
    cell(p.duplicates),
    p.ok ? 'OK' : `FAIL: ${p.problems.join(', ')}`,
  ]);
  return [
    ...formatTable(COLUMNS, rows),
    ...result.problems.map((problem) => `FAIL: ${problem}`),
    ...(result.keyedTables ?? []).map(
      ({ table, columns }) => `keys: ${table} keeps one row per (${columns.join(', ')}), none twice`,
    ),
    verifySummary(result),
  ];
}

export function verifySummary(result: VerifyResult): string {
  const checked = result.partitions.filter((p) => p.partition !== 'all');
  const matching = checked.filter((p) => p.ok).length;
  const records = checked.reduce((sum, p) => sum + p.end, 0);
  if (result.ok) return `PASS: ${matching}/${checked.length} partitions match, ${records} records exactly once`;
  const failing = result.partitions.filter((p) => !p.ok).length + result.problems.length;
  return `FAIL: ${failing} check${failing === 1 ? '' : 's'} failed (${matching}/${checked.length} partitions match)`;
}

/** One line while `--wait` polls. */
export function waitLine(result: VerifyResult, elapsedSeconds: number, timeoutSeconds: number): string {
  const checked = result.partitions.filter((p) => p.partition !== 'all');
  const lag = checked.reduce((sum, p) => sum + Math.max(0, p.end - (p.stored ?? 0)), 0);
  return (
    `verify: waiting for the sink: ${checked.filter((p) => p.ok).length}/${checked.length} partitions ` +
    `match, lag ${lag} (${Math.round(elapsedSeconds)}s of ${timeoutSeconds}s)`
  );
}
