import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CpuShare } from '../../../../kit/bench/e2e.ts';
import { peerMarkdown, peerRows } from '../../../../kit/bench/peer-report.ts';
import { drainFigures, type PeerResult } from '../../../../kit/bench/peer-result.ts';
import type { BenchReport } from '../../../../kit/bench/report.ts';
import { isSettled } from '../../../../kit/bench/settle.ts';
import { microsPerRecord, ourWindowRecords } from '../../../../kit/bench/stats.ts';
import { resultsMarkdown } from '../../../../kit/bench/report-docs.ts';

function cpu(sink: number, mariadb: number, wallSeconds = 10): CpuShare {
  return { wallSeconds, sink, mariadb, kafka: 1, bench: 0.1, machineBusy: 18, machineCapacity: 20, other: 1 };
}

const peer: PeerResult = {
  settings: ['tasks.max=9', 'batch.size=5000'],
  connectorConfig: {},
  records: 1_000_002,
  startup: { ready: 8.5, connectorCreated: 8.7, tasksRunning: 9.5 },
  firstRow: 10.5,
  done: 25,
  coldRate: 40_000,
  steadyRate: 70_000,
  windowRecords: 1_000_000,
  series: [],
  cpu: cpu(24, 3.3),
  peakRss: 2.3 * 1024 ** 3,
  tables: [{ table: 't', rows: 333_334, expected: 333_334 }],
  verifyOk: true,
  verifyText: 'PASS: 333334/333334 rows per table',
};

function report(extra: Partial<BenchReport> = {}): BenchReport {
  return {
    mode: 'full',
    profileMode: false,
    runId: 'r1',
    startedAt: '2026-01-01T00:00:00.000Z',
    seconds: 300,
    machine: {
      cpus: 2,
      cpuModel: 'x',
      memoryGb: 24,
      node: 'v24',
      os: 'Linux',
      loadAverage: [3.5, 2, 1],
      mariadb: '10.11',
      kafka: '4.1.1',
      librdkafka: '2',
    },
    loadAfter: [2, 2, 2],
    settings: {},
    nonDefault: [],
    records: 1_000_002,
    notes: [],
    peer,
    ...extra,
  };
}

const e2e = {
  records: 1_000_002,
  firstCommit: 0.5,
  done: 10.5,
  coldRate: 95_000,
  steadyRate: 100_000,
  series: [],
  cpu: cpu(8, 4),
  windowUs: [0, 1] as const,
  produceRate: 1,
  verifyOk: true,
  verifyText: 'PASS',
  verifySeconds: 1,
  peakRss: 230 * 1024 ** 2,
  maxSampledRss: 1,
  startup: {},
};

describe('peer metrics', () => {
  it('computes CPU per record in microseconds', () => {
    assert.equal(microsPerRecord(24, 1_000_000), 24);
    assert.ok(Number.isNaN(microsPerRecord(1, 0)));
  });

  it("counts our sink's window records from its steady rate and commit times", () => {
    assert.equal(ourWindowRecords(e2e), 1_000_000);
  });

  it('turns progress samples into cold and steady rates', () => {
    const samples = [
      { t: 5, value: 0 },
      { t: 10, value: 1_000 },
      { t: 20, value: 11_000 },
    ];
    const figures = drainFigures(samples, { t: 10, sum: 1_000 }, { t: 20, sum: 11_000 }, cpu(1, 1));
    assert.equal(figures.firstRow, 10);
    assert.equal(figures.done, 20);
    assert.equal(figures.coldRate, 550);
    assert.equal(figures.steadyRate, 1_000);
    assert.equal(figures.windowRecords, 10_000);
    assert.ok(figures.series.length > 0);
    const instant = drainFigures([], { t: 3, sum: 9 }, { t: 3, sum: 9 }, cpu(1, 1));
    assert.ok(Number.isNaN(instant.steadyRate));
    assert.equal(instant.coldRate, 3);
  });

  it('calls MariaDB settled near the level it had before', () => {
    assert.equal(isSettled(1_500, 1_000), true);
    assert.equal(isSettled(2_101, 1_000), false);
    assert.equal(isSettled(0, 0), true);
  });
});

describe('peer report', () => {
  it('puts our figures next to the peer with ours ÷ peer', () => {
    const rows = peerRows(report({ e2e }));
    const row = (start: string) => rows.find((r) => r.measure.startsWith(start))!;
    assert.deepEqual(row('steady'), {
      measure: 'steady drain, first → last committed row',
      ours: '100,000 rec/s',
      peer: '70,000 rec/s',
      ratio: '1.43×',
    });
    assert.equal(row('CPU per record, sink').ours, '8.0 µs');
    assert.equal(row('CPU per record, sink').peer, '24.0 µs');
    assert.equal(row('CPU per record, sink').ratio, '0.33×');
    assert.equal(row('CPU per record, MariaDB').peer, '3.3 µs');
    assert.equal(row('peak RSS').peer, '2355 MB');
    assert.equal(row('time to first').ratio, '0.05×');
  });

  it('shows the peer alone when the sink did not run', () => {
    const rows = peerRows(report());
    assert.equal(rows[0]?.ours, '-');
    assert.equal(rows[0]?.ratio, 'n/a');
    assert.equal(peerRows(report({ peer: undefined })).length, 0);
  });

  it('writes the section with settings, start-up, CPU and the busy-machine note', () => {
    const text = peerMarkdown(report({ e2e }));
    assert.match(text, /\| steady drain, first → last committed row \| 100,000 rec\/s \| 70,000 rec\/s \| 1\.43× \|/);
    assert.match(text, /`tasks\.max=9`, `batch\.size=5000`/);
    assert.match(text, /REST ready 8\.50 s/);
    assert.match(text, /all 9 tasks running 9\.50 s/);
    assert.match(text, /Kafka Connect worker \(JVM, all threads\) \| 24\.0 s/);
    assert.match(text, /The machine was busy/);
    assert.equal(peerMarkdown(report({ peer: undefined })), '');
  });
});

describe('client floor section', () => {
  it("puts each client's CPU per record next to the sink's whole CPU per record of the same run", () => {
    const clientFloor = [
      {
        client: 'librdkafka' as const,
        label: "the sink's client",
        records: 1_000_000,
        seconds: 4,
        rate: 250_000,
        cpuMicrosPerRecord: 4,
        mainThreadMicrosPerRecord: 3.5,
        rounds: [240_000, 250_000],
      },
    ];
    const text = resultsMarkdown(report({ e2e, peer: undefined, clientFloor }), 'chart.svg');
    assert.match(text, /the sink's whole process took 8\.0 µs per record/);
    assert.match(
      text,
      /\| the sink's client \| 250,000 \| 4\.00 µs \(50 % of the sink's\) \| 3\.50 µs \| 240,000 \/ 250,000 \|/,
    );
    assert.doesNotMatch(resultsMarkdown(report({ e2e, peer: undefined }), 'chart.svg'), /Kafka client alone/);
  });
});
