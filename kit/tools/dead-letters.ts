/**
 * `dead-letters list | show | replay` over the product's DeadLetterStore: filters checked before any
 * connection, rows as an aligned table, one dead letter in full with its bytes as a hex dump.
 */
import type { SinkConfig } from '../../src/config/index.ts';
import { SinkError } from '../../src/core/errors.ts';
import type { DeadLetterFilter } from '../../src/mysql/dead-letter-sql.ts';
import type { DeadLetterDetail, DeadLetterSummary, ReplayOutcome } from '../../src/pipeline/dead-letter-replay.ts';
import { cell, formatTable } from './text-table.ts';

export interface FilterFlags {
  topic?: string;
  partition?: number;
  reason?: string;
  fromOffset?: number;
  toOffset?: number;
}

/** The filter, or one USAGE line (exit 2) saying what is wrong with the flags. */
export function filterFrom(config: SinkConfig, flags: FilterFlags): DeadLetterFilter {
  if (flags.partition !== undefined && flags.topic === undefined)
    throw new SinkError('USAGE', '--partition needs --topic (partitions are numbered per topic)');
  if ((flags.fromOffset !== undefined || flags.toOffset !== undefined) && flags.partition === undefined)
    throw new SinkError(
      'USAGE',
      '--from-offset / --to-offset need --topic and --partition (offsets are per partition)',
    );
  if (flags.fromOffset !== undefined && flags.toOffset !== undefined && flags.fromOffset > flags.toOffset)
    throw new SinkError('USAGE', `--from-offset ${flags.fromOffset} is after --to-offset ${flags.toOffset}`);
  if (flags.topic !== undefined && !config.kafka.topics.includes(flags.topic))
    throw new SinkError(
      'USAGE',
      `topic ${JSON.stringify(flags.topic)} is not in kafka.topics (${config.kafka.topics.join(', ')}); set --set kafka.topics=… to read another`,
    );
  if (flags.reason !== undefined && !/^[A-Z_]{1,64}$/.test(flags.reason))
    throw new SinkError(
      'USAGE',
      `--reason ${JSON.stringify(flags.reason)} is not a reason: one of WIRE_FORMAT, SCHEMA_NOT_FOUND, DECODE_FAILED, VALUE_REJECTED, TOMBSTONE…`,
    );
  return {
    ...(flags.topic === undefined ? {} : { topic: flags.topic }),
    ...(flags.partition === undefined ? {} : { partition: flags.partition }),
    ...(flags.reason === undefined ? {} : { reason: flags.reason }),
    ...(flags.fromOffset === undefined ? {} : { fromOffset: flags.fromOffset }),
    ...(flags.toOffset === undefined ? {} : { toOffset: flags.toOffset }),
  };
}

const LIST_COLUMNS = [
  { header: 'id', align: 'right' },
  { header: 'topic' },
  { header: 'partition', align: 'right' },
  { header: 'offset', align: 'right' },
  { header: 'reason' },
  { header: 'bytes', align: 'right' },
  { header: 'dead-lettered at' },
  { header: 'message' },
] as const;

export function formatList(letters: readonly DeadLetterSummary[], limit: number): string[] {
  if (letters.length === 0) return ['no dead letters match'];
  const rows = letters.map((d) => [
    String(d.id),
    d.topic,
    String(d.partition),
    String(d.offset),
    d.reason,
    cell(d.valueBytes),
    d.createdAt,
    d.message.length > 80 ? `${d.message.slice(0, 77)}...` : d.message,
  ]);
  const more = letters.length === limit ? [`(first ${limit}; --limit shows more)`] : [];
  return [...formatTable(LIST_COLUMNS, rows), ...more];
}

export function formatDetail(d: DeadLetterDetail): string[] {
  return [
    `dead letter ${d.id}: ${d.topic}/${d.partition}@${d.offset} (group ${d.group})`,
    `reason:      ${d.reason}`,
    `message:     ${d.message}`,
    `record time: ${d.recordTimestamp ?? '-'}`,
    `dead since:  ${d.createdAt}`,
    `key (${d.key?.length ?? 0} bytes):`,
    ...hexDump(d.key),
    `value (${d.value?.length ?? 0} bytes):`,
    ...hexDump(d.value),
  ];
}

export function hexDump(bytes: Buffer | null): string[] {
  if (bytes === null) return ['  (null)'];
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const chunk = bytes.subarray(at, at + 16);
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...chunk].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`  ${at.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines;
}

export function formatOutcome(o: ReplayOutcome): string {
  return `${o.result.padEnd(8)} ${String(o.id).padStart(6)}  ${o.where}: ${o.detail}`;
}
