/**
 * The generated sections of docs/benchmarks.md (results, CPU profile) and the throughput chart, from a
 * BenchReport. Pure: everything comes from the report.
 */
import type { CpuShare } from './e2e.ts';
import { type BenchReport, TARGETS, tableRows } from './report.ts';
import { lineChart } from './svg-chart.ts';
import { bucketFor, formatInt, formatPercent, microsPerRecord, ourWindowRecords } from './stats.ts';

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const esc = (cell: string): string => cell.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(esc).join(' | ')} |`),
  ];
}

export function cpuLines(
  cpu: CpuShare,
  when = 'between the first and the last commit',
  bench = 'bench process (offset polling)',
  sink = 'sink (node: main thread + librdkafka + libuv threads)',
): string[] {
  const pct = (seconds: number): string =>
    `${seconds.toFixed(1)} s (${formatPercent(seconds / cpu.wallSeconds)} of one core)`;
  return [
    `CPU ${when} (${cpu.wallSeconds.toFixed(1)} s wall, ${(cpu.machineCapacity / cpu.wallSeconds).toFixed(0)} ` +
      `cores = ${cpu.machineCapacity.toFixed(1)} CPU-s available):`,
    '',
    ...markdownTable(
      ['process', 'CPU time'],
      [
        [sink, pct(cpu.sink)],
        ['MariaDB (mariadbd)', pct(cpu.mariadb)],
        ['Kafka broker', pct(cpu.kafka)],
        [bench, pct(cpu.bench)],
        ['everything else on the machine (other work: noise)', pct(cpu.other)],
        ['machine idle', `${Math.max(0, cpu.machineCapacity - cpu.machineBusy).toFixed(1)} s`],
      ],
    ),
  ];
}

/** The generated "Results" section of docs/benchmarks.md (between the markers). */
export function resultsMarkdown(report: BenchReport, chartFile: string): string {
  const m = report.machine;
  const lines: string[] = [];
  lines.push(
    `Run \`${report.runId}\`, ${report.startedAt}, **${report.mode} mode** ` +
      `(\`./kms bench${report.mode === 'quick' ? ' --quick' : ''}\`), ${report.seconds.toFixed(0)} s in total.`,
  );
  if (report.mode === 'quick')
    lines.push('', '> Quick mode: numbers are indicative only; compare ratios, not absolutes.');
  const load = report.machine.loadAverage[0] ?? 0;
  if (load > report.machine.cpus) {
    lines.push(
      '',
      `> The machine was busy when this run started (load average ${load} on ${report.machine.cpus} CPUs): other ` +
        `work shared the cores, so absolute numbers are low and noisy.`,
    );
  }
  lines.push('');
  lines.push('Machine:', '');
  lines.push(
    ...markdownTable(
      ['fact', 'value'],
      [
        ['CPUs (nproc)', `${m.cpus} × ${m.cpuModel}`],
        ['memory', `${m.memoryGb.toFixed(1)} GB`],
        ['OS', m.os],
        ['Node.js', m.node],
        ['MariaDB', m.mariadb],
        ['Kafka broker', m.kafka],
        ['librdkafka', m.librdkafka],
        ['load average at start / end', `${m.loadAverage.join(' ')} / ${(report.loadAfter ?? []).join(' ')}`],
      ],
    ),
  );
  lines.push('');
  const settings = Object.entries(report.settings)
    .map(([key, value]) => `\`${key}=${value}\``)
    .join(', ');
  lines.push(`Settings of the sink under test: ${settings}.`);
  if (report.nonDefault.length > 0)
    lines.push('', `**Not the defaults:** ${report.nonDefault.map((s) => `\`${s}\``).join(', ')}.`);
  lines.push('');
  lines.push(
    ...markdownTable(
      ['measure', 'value', 'ratio / detail', 'target', 'met'],
      tableRows(report).map((r) => [r.measure, r.value, r.comparison, r.target, r.met]),
    ),
  );
  lines.push('');
  if (report.e2e) {
    const e = report.e2e;
    lines.push(`![throughput over time](${chartFile})`, '');
    lines.push(
      `End-to-end details: produced at ${formatInt(e.produceRate)} rec/s before the sink started; ` +
        `first commit ${e.firstCommit.toFixed(2)} s after spawn (first log line ${fmtOpt(e.startup.logging)}, ` +
        `all topics consuming ${fmtOpt(e.startup.consuming)}, last partition assigned ${fmtOpt(e.startup.assigned)}); ` +
        `all ${formatInt(e.records)} committed ${e.done.toFixed(2)} s after spawn; ` +
        `verify took ${e.verifySeconds.toFixed(1)} s: ${e.verifyText}.`,
    );
    lines.push('');
    if (e.cpu) lines.push(...cpuLines(e.cpu), '');
  }
  if (report.latency) {
    const l = report.latency;
    lines.push(
      `Latency details: offered ${formatInt(l.offeredRate)} rec/s, delivered ${formatInt(l.achievedRate)} rec/s ` +
        `for ${l.seconds.toFixed(1)} s; producer linger 5 ms; ` +
        `kafka_offsets polled every ${l.meanPollMs.toFixed(1)} ms on average (commit times are up to one poll late); ` +
        `${l.uncommitted} records not seen committed. Per second of sending (p50 / p99 ms): ` +
        l.timeline.map((t) => `${t.second}: ${t.p50.toFixed(0)}/${t.p99.toFixed(0)}`).join(', ') +
        '.',
      '',
    );
    lines.push(...cpuLines(l.cpu, 'while producing at that rate', 'bench process (the producer + offset polling)'), '');
  }
  if (report.restarts && report.restarts.length > 0) {
    lines.push('Restart runs (seconds after spawn):', '');
    lines.push(
      ...markdownTable(
        ['run', 'backlog', 'first log line', 'all topics consuming', 'first partition assigned', 'first commit'],
        report.restarts.map((r, i) => [
          String(i + 1),
          formatInt(r.backlog),
          fmtOpt(r.logging),
          fmtOpt(r.consuming),
          fmtOpt(r.assigned),
          `${r.firstCommit.toFixed(2)} s`,
        ]),
      ),
    );
    lines.push('');
  }
  if (report.scale && report.scale.length > 0) {
    lines.push('Scale-out runs:', '');
    lines.push(
      ...markdownTable(
        ['instances', 'records', 'spawn → all committed', 'rec/s', 'steady rec/s', 'rebalance log events', 'verify'],
        report.scale.map((r) => [
          String(r.instances),
          formatInt(r.records),
          `${r.seconds.toFixed(2)} s`,
          formatInt(r.rate),
          formatInt(r.steadyRate),
          String(r.rebalanceEvents),
          r.verifyText,
        ]),
      ),
    );
    lines.push('');
  }
  if (report.clientFloor && report.clientFloor.length > 0) lines.push(...clientFloorLines(report), '');
  for (const note of report.notes) lines.push(`- ${note}`);
  return lines.join('\n').trimEnd();
}

/** The Kafka client alone (`client` phase), next to the sink's whole CPU per record in the same run. */
function clientFloorLines(report: BenchReport): string[] {
  const e2e = report.e2e;
  const sinkMicros = e2e?.cpu === undefined ? undefined : microsPerRecord(e2e.cpu.sink, ourWindowRecords(e2e));
  const lines = [
    'The Kafka client alone (consume the same records with a fresh group, keep nothing; CPU from the first record on' +
      `${sinkMicros === undefined ? '' : `; the sink's whole process took ${sinkMicros.toFixed(1)} µs per record in the drain above`}):`,
    '',
  ];
  lines.push(
    ...markdownTable(
      ['client', 'rec/s (best round)', 'CPU per record, process', 'CPU per record, main thread', 'rounds (rec/s)'],
      report.clientFloor!.map((c) => [
        c.label,
        formatInt(c.rate),
        `${c.cpuMicrosPerRecord.toFixed(2)} µs${sinkMicros === undefined ? '' : ` (${formatPercent(c.cpuMicrosPerRecord / sinkMicros)} of the sink's)`}`,
        `${c.mainThreadMicrosPerRecord.toFixed(2)} µs`,
        c.rounds.map((r) => formatInt(r)).join(' / '),
      ]),
    ),
  );
  return lines;
}

function fmtOpt(seconds: number | undefined): string {
  return seconds === undefined ? '-' : `${seconds.toFixed(2)} s`;
}

/** The generated "where the time goes" measurements (profile mode). */
export function profileMarkdown(report: BenchReport): string {
  const p = report.profile;
  if (!p) return '';
  const lines: string[] = [];
  const counted = p.summary.windowed
    ? 'Only samples between the first and the last commit are counted'
    : 'All samples of the process are counted';
  lines.push(
    `Profiled run \`${report.runId}\`, ${report.startedAt}, ${report.mode} mode: ${formatInt(p.records)} records ` +
      `drained at ${formatInt(p.rate)} rec/s under \`node --cpu-prof\` (the profiler itself costs some throughput). ` +
      `${counted} (${(p.summary.totalMs / 1000).toFixed(1)} s of main-thread time). ` +
      `Raw profile: \`${p.file}\` (open in Chrome DevTools → Performance).`,
  );
  lines.push('');
  lines.push('Sink main thread, self time by category:', '');
  lines.push(
    ...markdownTable(
      ['category', 'self time', 'share'],
      p.summary.categories.map((c) => [c.name, `${(c.ms / 1000).toFixed(2)} s`, formatPercent(c.share)]),
    ),
  );
  lines.push('');
  lines.push('Top functions by self time:', '');
  lines.push(
    ...markdownTable(
      ['function', 'where', 'category', 'share'],
      p.summary.top.map((f) => [`\`${f.name}\``, `\`${f.where}\``, f.category, `${(f.share * 100).toFixed(1)} %`]),
    ),
  );
  lines.push('');
  if (p.cpu) lines.push(...cpuLines(p.cpu));
  return lines.join('\n').trimEnd();
}

export function throughputChart(report: BenchReport): string | undefined {
  const e = report.e2e;
  if (!e) return undefined;
  const references = [];
  if (report.ceiling) {
    references.push({
      y: report.ceiling.recordsPerSecond,
      label: `DB ceiling ${formatInt(report.ceiling.recordsPerSecond)} rec/s`,
      color: '#c0392b',
    });
    references.push({
      y: report.ceiling.recordsPerSecond * TARGETS.ceilingShare,
      label: `target: 70 % of ceiling`,
      color: '#e67e22',
    });
  }
  if (report.seed)
    references.push({
      y: report.seed.recordsPerSecond,
      label: `seed design ${formatInt(report.seed.recordsPerSecond)} rec/s`,
      color: '#7f8c8d',
    });
  return lineChart({
    title: `End-to-end exactly-once drain of ${formatInt(e.records)} records (3 topics × 3 partitions)`,
    subtitle:
      `run ${report.runId}, ${report.mode} mode, ${report.machine.cpus} CPUs; committed offsets sampled ` +
      `every 100 ms, ${bucketFor(e.done) * 1000} ms buckets`,
    xLabel: report.peer
      ? 'seconds since the sink (or Connect worker) process was spawned'
      : 'seconds since the sink process was spawned',
    yLabel: 'records committed per second',
    series: [
      {
        name: `sink, default settings (steady ${formatInt(e.steadyRate)} rec/s)`,
        color: '#2471a3',
        points: e.series.map((p) => [p.t, p.rate] as const),
      },
      ...(report.peer
        ? [
            {
              name: `peer: Kafka Connect + Debezium JDBC sink (steady ${formatInt(report.peer.steadyRate)} rec/s)`,
              color: '#8e44ad',
              points: report.peer.series.map((p) => [p.t, p.rate] as const),
            },
          ]
        : []),
    ],
    references,
  });
}

/** Replaces the text between `<!-- bench:<name>:begin -->` and `<!-- bench:<name>:end -->`. */
export function replaceBlock(document: string, name: string, content: string): string {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = document.indexOf(begin);
  const to = document.indexOf(end);
  if (from < 0 || to < from) return `${document.trimEnd()}\n\n${begin}\n${content}\n${end}\n`;
  return `${document.slice(0, from + begin.length)}\n${content}\n${document.slice(to)}`;
}
