import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bucketRates,
  commitTime,
  formatInt,
  formatRatio,
  median,
  percentile,
  summarizeLatencies,
} from '../../../../kit/bench/stats.ts';
import { escapeXml, lineChart, niceStep, ticks } from '../../../../kit/bench/svg-chart.ts';
import { CATEGORY, categorize, summarizeProfile, type CpuProfile } from '../../../../kit/bench/cpu-profile.ts';
import { replaceBlock } from '../../../../kit/bench/report-docs.ts';

test('percentile is nearest-rank over sorted values', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 95), 95);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
});

test('median of odd and even counts, unsorted input', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('summarizeLatencies sorts numerically, not as text', () => {
  const summary = summarizeLatencies([100, 9, 20, 3]);
  assert.deepEqual(summary, { count: 4, p50: 9, p95: 100, p99: 100, max: 100 });
});

test('bucketRates turns a sampled counter into per-bucket rates', () => {
  const samples = [
    { t: 0.1, value: 0 },
    { t: 0.45, value: 100 },
    { t: 0.9, value: 300 },
    { t: 1.4, value: 300 },
  ];
  assert.deepEqual(bucketRates(samples, 0.5), [
    { t: 0, rate: 0 },
    { t: 0.5, rate: 200 },
    { t: 1, rate: 400 },
    { t: 1.5, rate: 0 },
  ]);
  assert.deepEqual(bucketRates([], 0.5), []);
});

test('commitTime finds the first observation beyond the offset', () => {
  const history = [
    { t: 10, offset: 5 },
    { t: 20, offset: 12 },
    { t: 30, offset: 40 },
  ];
  assert.equal(commitTime(history, 0), 10);
  assert.equal(commitTime(history, 4), 10);
  assert.equal(commitTime(history, 5), 20, 'stored offset 5 means offset 5 is not committed yet');
  assert.equal(commitTime(history, 39), 30);
  assert.equal(commitTime(history, 40), undefined);
});

test('number formatting', () => {
  assert.equal(formatInt(1234567.4), '1,234,567');
  assert.equal(formatInt(999), '999');
  assert.equal(formatRatio(0.834), '0.83×');
  assert.equal(formatRatio(38.2), '38×');
  assert.equal(formatRatio(Number.NaN), 'n/a');
});

test('nice ticks cover the maximum with 1/2/5 steps', () => {
  assert.equal(niceStep(137_000, 5), 50_000);
  assert.equal(niceStep(9.5, 8), 2);
  assert.deepEqual(ticks(137_000, 5), [0, 50_000, 100_000, 150_000]);
  assert.deepEqual(ticks(10, 5), [0, 2, 4, 6, 8, 10]);
});

test('lineChart draws axes, one polyline per series, reference lines and escaped labels', () => {
  const svg = lineChart({
    title: 'drain <1M> & more',
    xLabel: 'seconds',
    yLabel: 'records/s',
    series: [
      {
        name: 'sink',
        color: '#00f',
        points: [
          [0, 0],
          [0.5, 1000],
          [1, 2000],
        ],
      },
    ],
    references: [{ y: 3000, label: 'ceiling', color: '#f00' }],
  });
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.equal(svg.match(/<polyline /g)?.length, 1);
  assert.ok(svg.includes('stroke-dasharray'), 'reference line is dashed');
  assert.ok(svg.includes('drain &lt;1M&gt; &amp; more'));
  assert.ok(svg.includes('>3k<'), 'y axis reaches the reference line');
  const points = /points="([^"]+)"/
    .exec(svg)![1]!
    .split(' ')
    .map((p) => p.split(',').map(Number));
  assert.equal(points.length, 3);
  assert.ok(points[0]![1]! > points[2]![1]!, 'larger values are drawn higher');
  assert.equal(escapeXml(`a"b'c`), 'a&quot;b&apos;c');
});

test('profile frames are categorised by script, native frames by their caller', () => {
  assert.equal(categorize('file:///x/node_modules/avsc/lib/types.js', 'fromBuffer'), CATEGORY.avro);
  assert.equal(categorize('file:///x/node_modules/sql-escaper/lib/index.js', 'format'), CATEGORY.sqlFormat);
  assert.equal(categorize('file:///x/node_modules/mysql2/lib/packets/packet.js', 'x'), CATEGORY.mysqlProtocol);
  assert.equal(categorize('file:///x/node_modules/mariadb/lib/cmd/batch-bulk.js', 'x'), CATEGORY.mariadbProtocol);
  assert.equal(
    categorize('file:///x/node_modules/@platformatic/kafka/dist/protocol/records.js', 'x'),
    CATEGORY.kafkaFetch,
  );
  assert.equal(categorize('file:///x/src/kafka/fetched-records.ts', 'takeRecords'), CATEGORY.kafkaFetch);
  assert.equal(categorize('file:///x/src/kafka/fetch-response.ts', 'readPartition'), CATEGORY.kafkaFetch);
  assert.equal(categorize('file:///x/src/kafka/topic-consumer.ts', 'x'), CATEGORY.routing);
  assert.equal(categorize('file:///x/src/mysql/column-model.ts', 'toRow'), CATEGORY.rows);
  assert.equal(categorize('file:///x/src/mysql/dml.ts', 'insertRows'), CATEGORY.sqlSink);
  assert.equal(categorize('file:///x/node_modules/pino/lib/proto.js', 'write'), CATEGORY.logging);
  assert.equal(categorize('file:///x/node_modules/long/index.js', 'x'), CATEGORY.mysqlProtocol);
  assert.equal(categorize('file:///x/node_modules/pinot/index.js', 'x'), CATEGORY.other);
  assert.equal(categorize('', '(idle)'), CATEGORY.idle);
  assert.equal(categorize('', 'writeBuffer'), undefined);
  assert.equal(categorize('node:net', 'write'), undefined);

  const profile: CpuProfile = {
    startTime: 0,
    endTime: 4000,
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4] },
      {
        id: 2,
        callFrame: { functionName: 'query', url: 'file:///x/node_modules/mysql2/lib/connection.js', lineNumber: 9 },
        children: [3],
      },
      { id: 3, callFrame: { functionName: 'writeBuffer', url: '', lineNumber: -1 } },
      { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    ],
    samples: [2, 3, 3, 4, 4],
    timeDeltas: [0, 1000, 1000, 1000, 1000],
  };
  const all = summarizeProfile(profile);
  assert.equal(all.totalMs, 4);
  assert.deepEqual(
    all.categories.map((c) => [c.name, c.ms]),
    [
      [CATEGORY.mysqlProtocol, 3],
      [CATEGORY.idle, 1],
    ],
  );
  assert.equal(all.top[0]!.name, 'writeBuffer');
  // Samples at t = 0, 1000, … 4000 µs, each standing for the time until the next one.
  const windowed = summarizeProfile(profile, [500, 4000]);
  assert.ok(windowed.windowed);
  assert.deepEqual(
    windowed.categories.map((c) => [c.name, c.ms]),
    [
      [CATEGORY.mysqlProtocol, 2],
      [CATEGORY.idle, 1],
    ],
  );
});

test('replaceBlock swaps only the marked section, or appends it', () => {
  const doc = 'intro\n<!-- bench:results:begin -->\nold\n<!-- bench:results:end -->\noutro\n';
  assert.equal(
    replaceBlock(doc, 'results', 'new'),
    'intro\n<!-- bench:results:begin -->\nnew\n<!-- bench:results:end -->\noutro\n',
  );
  assert.equal(
    replaceBlock('# B\n', 'profile', 'p'),
    '# B\n\n<!-- bench:profile:begin -->\np\n<!-- bench:profile:end -->\n',
  );
});
