import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import type { ResultRow } from '../../src/mysql/pool.ts';
import type { PeekedRecord } from '../../src/status/record-peek-view.ts';
import type { HistoryPoint, Overview, PartitionView, TopicView } from '../../src/status/status-model.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { BOOTSTRAP, freePort } from './helpers/services.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * The status page's JSON endpoints against a real sink: the group's numbers equal kafka_offsets and
 * the broker's end offsets, a dead letter shows with its raw bytes, the record peek decodes the last
 * records through the registry, and bad query parameters answer 400 with one clear line.
 */
const scenario = new SinkScenario(1, 3, 'kms_page');
const topic = scenario.topics[0]!;
const POISON = Buffer.from([0x07, 0x00, 0xde, 0xad, 0xbe, 0xef]);
let base = '';
let drainedAt = 0;

before(async () => {
  await scenario.setup();
  await scenario.produceSequenced(topic, 200);
  await scenario.produceRaw(topic, [{ partition: 1, key: Buffer.from('bad-key'), value: POISON }]);
  await scenario.produceSequenced(topic, 20);
  const port = await freePort();
  scenario.startSink({ 'status.port': port });
  base = `http://127.0.0.1:${port}`;
  await scenario.waitForOffsets(topic, (p) => (p === 1 ? 221 : 220));
  drainedAt = Date.now();
});
after(() => scenario.cleanup());

interface DeadLetterJson {
  id: number;
  topic: string;
  partition: number;
  offset: number;
  reason: string;
  message: string;
  valueBytes: number;
  keyHex: string;
  valueHex: string;
}

/** The endpoints' bodies; each test reads the fields of the one it asked. */
interface Body {
  error: string;
  deadLetters: DeadLetterJson[];
  points: HistoryPoint[];
  end: number;
  records: PeekedRecord[];
}

async function json<T = Body>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

test('overview: every partition with kafka_offsets, the broker end offset, lag, state, owner and dead letters', async () => {
  const ends = await withMetadataClient({ bootstrapServers: BOOTSTRAP }, (c) =>
    Promise.all([0, 1, 2].map((p) => c.endOffset(topic, p))),
  );
  assert.deepEqual(ends, [220, 221, 220]);
  let overview: Overview | undefined;
  // The page samples every few seconds: wait for a sample taken after the drain finished.
  await waitFor('a settled sample', async () => {
    const body = (await json<Overview>('/api/overview')).body;
    overview = body;
    return body.sampledAt !== null && Date.parse(body.sampledAt) > drainedAt && body.instances[0]?.partitions === 3;
  });
  const stored = await scenario.offsets(topic);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  if (overview === undefined) throw new Error('no overview');
  const instance = overview.instance;
  assert.match(instance.id, /:\d+$/);
  assert.equal(instance.version, pkg.version);
  assert.deepEqual(
    overview.partitions.map((p: PartitionView) => [
      p.topic,
      p.partition,
      p.committed,
      p.end,
      p.lag,
      p.state,
      p.owner,
      p.deadLetters,
    ]),
    [0, 1, 2].map((p) => [topic, p, stored.get(p), ends[p], 0, 'running', instance.id, p === 1 ? 1 : 0]),
  );
  assert.deepEqual(
    overview.topics.map((t: TopicView) => [t.topic, t.partitions, t.committed, t.end, t.lag, t.deadLetters]),
    [[topic, 3, 661, 661, 0, 1]],
  );
  assert.equal(instance.written, 661);
  assert.equal(instance.deadLetters, 1);
  assert.equal(overview.database, 'ok');
  assert.deepEqual(overview.problems, []);
  assert.equal(instance.config['kafka.topics'], topic);
  assert.doesNotMatch(JSON.stringify(overview), /consumer1!/);
  assert.deepEqual(
    overview.instances.map((i) => [i.id, i.partitions]),
    [[instance.id, 3]],
  );
  const [rows] = await scenario.admin.query<ResultRow[]>(
    `SELECT instance_id, partitions FROM \`${scenario.database}\`.kafka_sink_instances`,
  );
  assert.deepEqual(
    rows.map((r) => r.instance_id),
    [instance.id],
  );

  const history = (await json('/api/history')).body;
  assert.ok(history.points.length >= 1);
  assert.equal(history.points.at(-1)?.lag, 0);
});

test('dead letters: listed with the reason, raw bytes in hex on demand', async () => {
  const list = (await json(`/api/dead-letters?topic=${topic}&partition=1`)).body.deadLetters;
  assert.deepEqual(
    list.map((d) => [d.topic, d.partition, d.offset, d.reason, d.valueBytes]),
    [[topic, 1, 200, 'WIRE_FORMAT', POISON.length]],
  );
  assert.deepEqual((await json(`/api/dead-letters?topic=${topic}&partition=0`)).body.deadLetters, []);
  assert.deepEqual((await json('/api/dead-letters?reason=DECODE_FAILED')).body.deadLetters, []);
  const one = (await json<DeadLetterJson>(`/api/dead-letters/${list[0]!.id}`)).body;
  assert.equal(one.valueHex, POISON.toString('hex'));
  assert.equal(one.keyHex, Buffer.from('bad-key').toString('hex'));
  assert.match(one.message, /magic byte/);
  assert.equal((await json('/api/dead-letters/999999999')).status, 404);
});

test('record peek: the last N records of a partition, decoded through the registry', async () => {
  const peek = (await json(`/api/peek?topic=${topic}&partition=1&count=3`)).body;
  assert.equal(peek.end, 221);
  assert.deepEqual(
    peek.records.map((r) => [r.offset, r.key, (r.value as { seq?: number } | null)?.seq ?? null, r.error === null]),
    [
      [218, 'p1-217', 217, true],
      [219, 'p1-218', 218, true],
      [220, 'p1-219', 219, true],
    ],
  );
  const poisoned = (await json(`/api/peek?topic=${topic}&partition=1&count=21`)).body.records[0]!;
  assert.deepEqual([poisoned.offset, poisoned.value], [200, null]);
  assert.match(poisoned.error ?? '', /magic byte/);
});

test('bad query parameters: 400 with one clear line', async () => {
  const cases: [string, RegExp][] = [
    ['/api/peek?partition=0', /"topic" is required/],
    ['/api/peek?topic=nope&partition=0', /"nope" is not one this sink reads/],
    [`/api/peek?topic=${topic}&partition=abc`, /"partition" must be a whole number/],
    [`/api/peek?topic=${topic}&partition=7`, /has no partition 7/],
    [`/api/peek?topic=${topic}&partition=0&count=999`, /"count" must be between 1 and 50/],
    [`/api/peek?topic=${topic}`, /"partition" is required/],
    ['/api/dead-letters?limit=0', /"limit" must be between 1 and 500/],
    ['/api/dead-letters?partition=1', /"partition" needs "topic"/],
    ['/api/dead-letters?colour=red', /unknown query parameter "colour"/],
    ['/api/dead-letters/abc', /id must be a whole number/],
    [`/api/dead-letters?topic=${topic}&topic=${topic}`, /given 2 times/],
    ['/api/overview?x=1', /unknown query parameter "x"/],
  ];
  for (const [path, message] of cases) {
    const { status, body } = await json(path);
    assert.equal(status, 400, path);
    assert.match(body.error, message, path);
    assert.doesNotMatch(body.error, /\n/);
  }
  assert.equal((await json('/api/nothing')).status, 404);
});

test('the page is real files: HTML, ES modules, CSS and the chart library from node_modules', async () => {
  const page = await fetch(`${base}/`);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  const html = await page.text();
  assert.match(html, /<script type="module" src="app.js"><\/script>/);
  for (const path of ['/app.js', '/render.js', '/chart.js', '/vendor/uPlot.esm.js']) {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8', path);
    await response.text();
  }
  for (const path of ['/style.css', '/vendor/uPlot.min.css']) {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.headers.get('content-type'), 'text/css; charset=utf-8', path);
    await response.text();
  }
  assert.equal((await fetch(`${base}/../package.json`)).status, 404);
});

test('every metric the Grafana dashboard and the alert rules use exists in /metrics', async () => {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const families = new Set([...metrics.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]!));
  const histograms = [...metrics.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]!);
  for (const h of histograms) for (const suffix of ['_bucket', '_sum', '_count']) families.add(h + suffix);
  const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const alerts = readFileSync(new URL('../../docs/prometheus-alerts.yml', import.meta.url), 'utf8');
  const used = new Map<string, string>();
  for (const panel of dashboard.panels)
    for (const target of panel.targets)
      for (const m of target.expr.matchAll(/\bkms_[a-z_]+/g)) used.set(m[0], `panel "${panel.title}"`);
  for (const m of alerts.matchAll(/\bkms_[a-z_]+/g)) used.set(m[0], 'docs/prometheus-alerts.yml');
  for (const name of [
    'kms_lag_records',
    'kms_partition_state',
    'kms_database_up',
    'kms_dependency_up',
    'kms_batch_seconds_bucket',
  ])
    assert.ok(used.has(name), `${name} is charted or alerted on`);
  for (const [name, where] of used) assert.ok(families.has(name), `${name} (${where}) is not in /metrics`);
  for (const alert of ['KmsLagGrowing', 'KmsPartitionFailed', 'KmsDatabaseUnreachable', 'KmsDeadLettersRising'])
    assert.match(alerts, new RegExp(`- alert: ${alert}\\n(\\s*#.*\\n)?\\s+expr: `));
  // The sampler's gauges carry the numbers the page shows.
  assert.match(metrics, new RegExp(`kms_lag_records\\{topic="${topic}",partition="1"\\} 0`));
  assert.match(metrics, new RegExp(`kms_end_offset\\{topic="${topic}",partition="1"\\} 221`));
  assert.match(metrics, /^kms_database_up 1$/m);
  assert.match(metrics, new RegExp(`kms_partition_state\\{topic="${topic}",partition="0",state="running"\\} 1`));
});
