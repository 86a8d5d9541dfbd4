import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultRow } from '../../src/mysql/pool.ts';
import { SinkScenario, useScenarioBehind } from './helpers/sink-harness.ts';
import { assertExactlyOnce } from './helpers/sink-checks.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';
import { mysqlAdmin } from './helpers/mysql-server.ts';

/** Lost connections mid-transaction (as in a server restart or a failover) roll back and retry the batch. */
const scenario = new SinkScenario(1, 3);
before(() => scenario.setup());
after(() => scenario.cleanup());

test("killing the sink's database connections mid-run loses and duplicates nothing", async () => {
  const topic = scenario.topics[0]!;
  const sink = scenario.startSink({ 'sink.batch.max.records': 100, 'sink.retry.initial.ms': 20 });
  const retried = (): boolean => sink.logs().some((l) => l.msg === 'transient failure, batch rolled back; retrying');
  await scenario.produceSequenced(topic, 1_000);
  await scenario.waitForOffsets(topic, () => 1_000, 60_000);
  let killed = 0;
  let producing = true;
  // Kill every busy connection of the sink, again and again, while records keep coming.
  const killer = (async () => {
    while (producing) {
      const [connections] = await scenario.admin.query<ResultRow[]>(
        'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND DB = ?',
        ['consumer', scenario.database],
      );
      for (const { id } of connections) {
        await scenario.admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => {});
        killed++;
      }
      await sleep(5);
    }
  })();
  // Until some kill has hit a batch in flight (the retry is logged), for 30 rounds at least.
  for (let round = 0; round < 30 || (round < 300 && !retried()); round++) {
    await scenario.produceSequenced(topic, 500);
    await sleep(50);
  }
  producing = false;
  await killer;
  const total = scenario.produced(topic, 0);
  await scenario
    .waitForOffsets(topic, () => total, 120_000)
    .catch((error: unknown) => {
      throw new Error(`${String(error)} after ${killed} kills\n${sink.output.slice(-6000)}`);
    });
  assert.ok(killed > 0, 'some connections were killed while the sink worked');
  assert.ok(retried(), `the retry was logged (${killed} kills)\n${sink.output.slice(-3000)}`);
  assert.equal(await sink.kill('SIGTERM'), 0);
  await assertExactlyOnce(scenario, 'after the kills');
});

/**
 * The database away for seconds, as in a server restart: every connection is cut mid-stream and new
 * ones are refused until it is back. A relay in front of the real MariaDB does the cutting.
 */
const outages = new SinkScenario(1, 3);
const proxy = new TcpProxy(mysqlAdmin().host, mysqlAdmin().port);
useScenarioBehind(outages, proxy);

test('the database away for seconds (server restart) mid-run: batches wait and retry, nothing lost or duplicated', async (t) => {
  const topic = outages.topics[0]!;
  const sink = outages.startSink({
    'mysql.url': `jdbc:mysql://127.0.0.1:${proxy.port}/${outages.database}`,
    'sink.batch.max.records': 100,
    'sink.retry.initial.ms': 50,
  });
  const retried = (): boolean => sink.logs().some((l) => l.msg === 'transient failure, batch rolled back; retrying');
  await outages.produceSequenced(topic, 1_000);
  await outages.waitForOffsets(topic, () => 1_000, 60_000);
  // Until an outage has hit a batch in flight (the retry is logged): a batch that asks for a connection
  // while the server is away may instead wait inside the pool until it is back (the bulk pool does).
  let outage = 0;
  for (; outage < 2 || (outage < 6 && !retried()); outage++) {
    const producing = outages.produceSequenced(topic, 3_000);
    await sleep(100);
    await proxy.outage(3_000);
    await producing;
  }
  const total = outages.produced(topic, 0);
  await outages
    .waitForOffsets(topic, () => total, 120_000)
    .catch(async (error: Error) => {
      const stored = Object.fromEntries(await outages.offsets(topic));
      assert.fail(`${error.message}: stored ${JSON.stringify(stored)} of ${total}\n${sink.output.slice(-6000)}`);
    });
  t.diagnostic(`${proxy.cutConnections} connections cut in ${outage} outages of 3 s`);
  assert.ok(proxy.cutConnections > 0, 'the outages cut live connections');
  assert.ok(retried(), `the retry was logged\n${sink.output.slice(-3000)}`);
  assert.ok(!sink.logs().some((l) => l.level === 'ERROR'), `no ERROR\n${sink.output.slice(-3000)}`);
  assert.equal(await sink.kill('SIGTERM'), 0);
  await assertExactlyOnce(outages, 'after the outages');
});
