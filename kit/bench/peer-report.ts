/**
 * The "Peer" section of docs/benchmarks.md: our sink next to Kafka Connect + Debezium's JDBC sink on the
 * same records in the same run. Pure: everything comes from the BenchReport.
 */
import type { CpuShare } from './e2e.ts';
import type { BenchReport } from './report.ts';
import { cpuLines, markdownTable } from './report-docs.ts';
import { formatInt, formatMb, formatRatio, formatSeconds, microsPerRecord, ourWindowRecords } from './stats.ts';

export const PEER_NAME = 'Kafka Connect 4.1.1 + Debezium JDBC sink 3.6.0 (at-least-once)';
export const OUR_NAME = 'kafka-mysql-sink (exactly-once)';

export interface PeerRow {
  readonly measure: string;
  readonly ours: string;
  readonly peer: string;
  /** ours ÷ peer: above 1 for a rate means we are faster; below 1 for a cost means we spend less. */
  readonly ratio: string;
}

const rate = (value: number | undefined): string => (value === undefined ? '-' : `${formatInt(value)} rec/s`);
const micros = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(1)} µs`;
const ratioOf = (ours: number | undefined, peer: number | undefined): string =>
  ours === undefined || peer === undefined ? 'n/a' : formatRatio(ours / peer);

export function peerRows(report: BenchReport): PeerRow[] {
  const peer = report.peer;
  if (!peer) return [];
  const e2e = report.e2e;
  const ourWindow = e2e ? ourWindowRecords(e2e) : undefined;
  const perRecord = (cpu: CpuShare | undefined, records: number | undefined, part: 'sink' | 'mariadb') =>
    cpu === undefined || records === undefined ? undefined : microsPerRecord(cpu[part], records);
  const ours = {
    steady: e2e?.steadyRate,
    cold: e2e?.coldRate,
    first: e2e?.firstCommit,
    done: e2e?.done,
    sinkCpu: perRecord(e2e?.cpu, ourWindow, 'sink'),
    dbCpu: perRecord(e2e?.cpu, ourWindow, 'mariadb'),
    rss: e2e?.peakRss,
  };
  const theirs = {
    sinkCpu: microsPerRecord(peer.cpu.sink, peer.windowRecords),
    dbCpu: microsPerRecord(peer.cpu.mariadb, peer.windowRecords),
  };
  const seconds = (value: number | undefined): string => (value === undefined ? '-' : formatSeconds(value));
  return [
    {
      measure: 'steady drain, first → last committed row',
      ours: rate(ours.steady),
      peer: rate(peer.steadyRate),
      ratio: ratioOf(ours.steady, peer.steadyRate),
    },
    {
      measure: 'cold drain, process spawn → all rows committed',
      ours: rate(ours.cold),
      peer: rate(peer.coldRate),
      ratio: ratioOf(ours.cold, peer.coldRate),
    },
    {
      measure: 'time to first committed row, from spawn',
      ours: seconds(ours.first),
      peer: seconds(peer.firstRow),
      ratio: ratioOf(ours.first, peer.firstRow),
    },
    {
      measure: 'spawn → all rows committed',
      ours: seconds(ours.done),
      peer: seconds(peer.done),
      ratio: ratioOf(ours.done, peer.done),
    },
    {
      measure: 'CPU per record, sink process (all threads)',
      ours: micros(ours.sinkCpu),
      peer: micros(theirs.sinkCpu),
      ratio: ratioOf(ours.sinkCpu, theirs.sinkCpu),
    },
    {
      measure: 'CPU per record, MariaDB',
      ours: micros(ours.dbCpu),
      peer: micros(theirs.dbCpu),
      ratio: ratioOf(ours.dbCpu, theirs.dbCpu),
    },
    {
      measure: 'peak RSS of the sink process (VmHWM)',
      ours: ours.rss === undefined ? '-' : formatMb(ours.rss),
      peer: formatMb(peer.peakRss),
      ratio: ratioOf(ours.rss, peer.peakRss),
    },
    {
      measure: 'rows verified',
      ours: e2e ? (e2e.verifyOk ? 'PASS (exactly once)' : 'FAIL') : '-',
      peer: peer.verifyOk ? 'PASS (row count per table)' : 'FAIL',
      ratio: '',
    },
  ];
}

/** The generated "Peer" section (between the `bench:peer` markers). */
export function peerMarkdown(report: BenchReport): string {
  const peer = report.peer;
  if (!peer) return '';
  const m = report.machine;
  const lines: string[] = [
    `Run \`${report.runId}\`, ${report.startedAt}, **${report.mode} mode** (\`./kms bench${report.mode === 'quick' ? ' --quick' : ''} --peer\`), ${report.seconds.toFixed(0)} s in total; ` +
      `${formatInt(peer.records)} records in 3 topics × 3 partitions, drained by each into its own database. ` +
      `Load average at start / end: ${m.loadAverage.join(' ')} / ${(report.loadAfter ?? []).join(' ')} on ${m.cpus} CPUs.`,
  ];
  if ((m.loadAverage[0] ?? 0) > m.cpus)
    lines.push('', '> The machine was busy when this run started: absolute numbers are low and noisy; compare ratios.');
  if (report.mode === 'quick') lines.push('', '> Quick mode: indicative only.');
  lines.push(
    '',
    ...markdownTable(
      ['measure', OUR_NAME, PEER_NAME, 'ours ÷ peer'],
      peerRows(report).map((r) => [r.measure, r.ours, r.peer, r.ratio]),
    ),
    '',
    `Peer configuration: ${peer.settings.map((s) => `\`${s}\``).join(', ')}; connector \`insert.mode=insert\`, ` +
      "`primary.key.mode=kafka`, `schema.evolution=basic`, `quote.identifiers=true`, values through Apicurio's Avro converter.",
    '',
    `Peer start-up (seconds after the worker's spawn): REST ready ${formatSeconds(peer.startup.ready)}, connector created ` +
      `${formatSeconds(peer.startup.connectorCreated)}, all ${peer.settings[0]?.replace('tasks.max=', '') ?? ''} tasks running ` +
      `${formatSeconds(peer.startup.tasksRunning)}, first row ${formatSeconds(peer.firstRow)}, all rows ${formatSeconds(peer.done)}. ` +
      `Rows: ${peer.verifyText}.`,
    '',
    ...cpuLines(
      peer.cpu,
      "between the peer's first and last committed row",
      'bench process (row polling)',
      'Kafka Connect worker (JVM, all threads)',
    ),
  );
  return lines.join('\n').trimEnd();
}
