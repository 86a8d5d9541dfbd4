import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { type Browser, type Page, chromium } from 'playwright-core';
import { withMetadataClient } from '../../src/kafka/metadata-client.ts';
import { CHROMIUM } from '../../kit/stack/chromium.ts';
import { PROJECT_ROOT } from './helpers/kms-cli.ts';
import { mysqlAdmin } from './helpers/mysql-server.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { BOOTSTRAP, freePort } from './helpers/services.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * The status page in a real browser (Debian's chromium driven by playwright-core) while a sink drains a
 * backlog: the numbers it shows equal kafka_offsets and the broker's end offsets, a failed partition
 * and a database that does not answer show as such, and the screenshots in docs/img/ come from here.
 */
const scenario = new SinkScenario(2, 3, 'kms_ui');
const [DRAIN, FAILING] = scenario.topics as [string, string];
// Enough that even a fast machine shows several readings of a drain in progress.
const PER_PARTITION = 20_000;
const IMG = `${PROJECT_ROOT}/docs/img`;
const proxy = new TcpProxy(mysqlAdmin().host, mysqlAdmin().port);
let browser: Browser;
let page: Page;
let ends: Map<string, number>;

before(async () => {
  await scenario.setup();
  await proxy.start();
  await scenario.produceSequenced(DRAIN, PER_PARTITION);
  await scenario.produceSequenced(FAILING, 20);
  // Partition 0 of FAILING gets a record that is not Avro: with errors.tolerance=none it stops there.
  await scenario.produceRaw(FAILING, [{ partition: 0, key: Buffer.from('poison'), value: Buffer.from('not avro') }]);
  ends = await withMetadataClient({ bootstrapServers: BOOTSTRAP }, async (client) => {
    const out = new Map<string, number>();
    for (const topic of [DRAIN, FAILING])
      for (let p = 0; p < 3; p++) out.set(`${topic}/${p}`, await client.endOffset(topic, p));
    return out;
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  mkdirSync(IMG, { recursive: true });
});
after(async () => {
  await browser?.close();
  await proxy.stop();
  await scenario.cleanup();
});

/** What the page's partition table shows, as numbers. */
async function shownRows(): Promise<
  Map<string, { committed: number; end: number; lag: number; state: string; owner: string }>
> {
  const rows = await page.$$eval('#partitions tbody tr', (trs) =>
    trs.map((tr) => {
      const field = (name: string): string => tr.querySelector(`[data-field="${name}"]`)?.textContent ?? '';
      return {
        key: tr.getAttribute('data-partition') ?? '',
        committed: field('committed'),
        end: field('end'),
        lag: field('lag'),
        state: tr.querySelector('[data-state]')?.getAttribute('data-state') ?? '',
        owner: field('owner'),
      };
    }),
  );
  const number = (text: string): number => Number(text.replaceAll(',', ''));
  return new Map(
    rows.map((r) => [
      r.key,
      { committed: number(r.committed), end: number(r.end), lag: number(r.lag), state: r.state, owner: r.owner },
    ]),
  );
}

async function refreshed(): Promise<void> {
  // Expressions as text: they run in the page, and this project compiles without the DOM's types.
  const before = String(await page.evaluate("document.body.dataset.refreshed ?? '0'"));
  await page.waitForFunction(`(document.body.dataset.refreshed ?? '0') !== ${JSON.stringify(before)}`, undefined, {
    timeout: 15_000,
  });
}

async function storedOffsets(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const topic of [DRAIN, FAILING]) for (const [p, o] of await scenario.offsets(topic)) out.set(`${topic}/${p}`, o);
  return out;
}

test('during a drain the page shows the broker end offsets, kafka_offsets, falling lag and a failed partition', async () => {
  const port = await freePort();
  const sink = scenario.startSink({
    'kafka.topics': `${DRAIN},${FAILING}`,
    'status.port': port,
    'errors.tolerance': 'none',
    // One record per transaction (the seed's design): a drain slow enough to watch, without timing anything.
    'sink.batch.max.records': 1,
    'sink.batch.linger.ms': 0,
    'mysql.url': `jdbc:mysql://127.0.0.1:${proxy.port}/${scenario.database}`,
  });
  await waitFor(
    'status server',
    async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null)) !== null,
  );
  await page.goto(`http://127.0.0.1:${port}/`);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  // Mid-drain: end offsets are final already; committed never runs ahead of kafka_offsets.
  let lags: number[] = [];
  await waitFor(
    'lag falling on the page',
    async () => {
      await refreshed();
      const shown = await shownRows();
      const stored = await storedOffsets();
      for (let p = 0; p < 3; p++) {
        const row = shown.get(`${DRAIN}/${p}`);
        if (row === undefined || Number.isNaN(row.committed)) return false;
        assert.equal(row.end, ends.get(`${DRAIN}/${p}`));
        assert.ok(
          row.committed <= (stored.get(`${DRAIN}/${p}`) ?? 0),
          `${DRAIN}/${p} shows no more than kafka_offsets`,
        );
        assert.equal(row.lag, row.end - row.committed);
      }
      const total = [0, 1, 2].reduce((s, p) => s + shown.get(`${DRAIN}/${p}`)!.lag, 0);
      if (lags.at(-1) !== total) lags.push(total);
      // Four falling readings on the page, the last still short of done: a drain in progress.
      return lags.length >= 4 && total > 0;
    },
    { timeoutMs: 120_000, intervalMs: 0 },
  );
  lags = lags.filter((l) => l > 0);
  assert.deepEqual(
    [...lags].sort((a, b) => b - a),
    lags,
    `lag only falls: ${lags.join(' > ')}`,
  );
  await page.screenshot({ path: `${IMG}/status-drain.png`, fullPage: false });

  // The drain finishes: every number equals kafka_offsets and the broker.
  await scenario.waitForOffsets(DRAIN, () => PER_PARTITION, 300_000);
  await waitFor('the page after the drain', async () => {
    await refreshed();
    const shown = await shownRows();
    return [0, 1, 2].every((p) => shown.get(`${DRAIN}/${p}`)?.lag === 0);
  });
  const shown = await shownRows();
  const stored = await storedOffsets();
  const instance = (await page.textContent('#instance-line')) ?? '';
  for (const topic of [DRAIN, FAILING]) {
    for (let p = 0; p < 3; p++) {
      const key = `${topic}/${p}`;
      const row = shown.get(key)!;
      assert.deepEqual([row.committed, row.end], [stored.get(key), ends.get(key)], key);
      assert.ok(instance.includes(row.owner), `${key} owned by this instance (${row.owner})`);
      assert.equal(row.state, topic === FAILING && p === 0 ? 'failed' : 'running', key);
    }
  }
  assert.deepEqual([stored.get(`${FAILING}/0`), ends.get(`${FAILING}/0`)], [20, 21]);

  // The failed partition: a symbol and the word, the reason folded under it, a banner above.
  const failed = page.locator(`tr[data-partition="${FAILING}/0"]`);
  assert.equal((await failed.locator('.state').textContent())?.trim(), '✖ failed');
  await failed.locator('details.reason summary').click();
  assert.match((await failed.locator('details.reason').textContent()) ?? '', /can never be written/);
  assert.match((await page.textContent('#problems')) ?? '', /1 partition\(s\) failed/);
  const topicTotals = await page.$$eval('#topics tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(topicTotals.length, 2);
  // Record peek: the last records of a partition, decoded through the registry.
  await page.locator(`tr[data-partition="${DRAIN}/1"] button`).click();
  await page.waitForSelector(`#peek tbody tr[data-offset="${PER_PARTITION - 1}"]`);
  const peeked = await page.$$eval('#peek tbody tr', (trs) =>
    trs.map((tr) => [tr.getAttribute('data-offset'), tr.querySelector('td.value')?.textContent ?? '']),
  );
  assert.deepEqual(
    peeked.map(([offset]) => Number(offset)),
    Array.from({ length: 10 }, (_, i) => PER_PARTITION - 10 + i),
  );
  assert.match(peeked.at(-1)![1]!, new RegExp(`"seq":${PER_PARTITION - 1}`));
  // Recent dead letters, with the raw bytes in hex on demand. (errors.tolerance=none here writes none:
  // one is put in the table the way the sink writes them.)
  await scenario.admin.query(
    `INSERT INTO \`${scenario.database}\`.kafka_dead_letters (topic, \`partition\`, \`offset\`, consumer_group, record_key, record_value, error_kind, error_message) VALUES (?, 2, 7, ?, ?, ?, 'WIRE_FORMAT', 'magic byte 0x6e, expected 0x00')`,
    [FAILING, `group-${FAILING}`, Buffer.from('k'), Buffer.from('not avro')],
  );
  const letter = page.locator(`#dead-letters tbody tr`).first();
  await letter.locator('button').click({ timeout: 15_000 });
  await page.waitForFunction("document.querySelector('#dead-bytes').textContent.includes('value (8 bytes)')");
  const dump = (await page.textContent('#dead-bytes')) ?? '';
  assert.match(dump, new RegExp(`${FAILING}/2@7 \\(WIRE_FORMAT\\)`));
  assert.match(dump, /000000 {2}6e 6f 74 20 61 76 72 6f {26}not avro/);
  await failed.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${IMG}/status-failed-partition.png`, fullPage: true });

  // A phone: the same page, narrow.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await phone.goto(`http://127.0.0.1:${port}/`);
  await phone.waitForSelector(`tr[data-partition="${FAILING}/0"] .state`);
  const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  assert.ok(
    overflow <= 1,
    `the page itself does not scroll sideways on a phone (${overflow} px); tables scroll inside`,
  );
  await phone.screenshot({ path: `${IMG}/status-phone.png` });
  await phone.close();

  // The database goes away while records arrive: the page says so, the partitions wait for it, and what
  // Kafka and the sink know is still shown.
  const outage = proxy.outage(30_000);
  await scenario.produceSequenced(DRAIN, 5);
  await waitFor(
    'database shown unreachable, partitions waiting for it',
    async () => {
      await refreshed();
      const states = [...(await shownRows()).entries()]
        .filter(([key]) => key.startsWith(DRAIN))
        .map(([, r]) => r.state);
      return (
        ((await page.textContent('#card-database')) ?? '').includes('unreachable') &&
        states.every((state) => state === 'waiting_for_database')
      );
    },
    { timeoutMs: 30_000, intervalMs: 0 },
  );
  assert.match((await page.textContent('#problems')) ?? '', /Database unreachable/);
  const waiting = page.locator(`tr[data-partition="${DRAIN}/0"] .state`);
  assert.equal((await waiting.textContent())?.trim(), '◌ waiting for database');
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${IMG}/status-database-down.png`, fullPage: false });
  await outage;
  // Back: the records of the outage are written, and the page agrees with kafka_offsets again.
  await scenario.waitForOffsets(DRAIN, () => PER_PARTITION + 5, 120_000);
  await waitFor('the page after the outage', async () => {
    await refreshed();
    const rows = await shownRows();
    return [0, 1, 2].every(
      (p) =>
        rows.get(`${DRAIN}/${p}`)?.committed === PER_PARTITION + 5 && rows.get(`${DRAIN}/${p}`)?.state === 'running',
    );
  });
  // The card follows the sink's own probe of the database, which may answer a refresh later than the
  // partitions' commits on a busy host.
  await waitFor('the database card reachable again', async () => {
    await refreshed();
    return /✔ reachable/.test((await page.textContent('#card-database')) ?? '');
  });
  assert.deepEqual(pageErrors, []);
  await sink.kill('SIGTERM');
});
