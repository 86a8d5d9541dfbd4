import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SinkProcess, SinkScenario } from './helpers/sink-harness.ts';
import { BOOTSTRAP, REGISTRY, freePort } from './helpers/services.ts';
import { describeRun, runKms } from './helpers/kms-cli.ts';
import { mysqlAddress } from './helpers/mysql-server.ts';

/**
 * Start-up against bad input: a configuration error or a wrong password is one clear line and exit 2;
 * an unreachable Kafka, registry or database is waited for (WARN per attempt, growing delay), never a
 * crash loop, and SIGTERM still stops it cleanly. The DB password shows up in no output at all.
 */
const PASSWORD = 'consumer1!'; // the real password of the sink user
const WRONG_PASSWORD = 'Wr0ng-Pa55word-7Qz';
const scenario = new SinkScenario(2, 1, 'kms_start');
const dir = mkdtempSync(join(tmpdir(), 'kms-startup-'));
const waiting: Record<'kafka' | 'registry' | 'database', SinkProcess> = {} as never;
const others: SinkProcess[] = [];

before(async () => {
  await scenario.setup();
  // Started first, checked last: waiting out three retries takes the longest (Kafka: a 10 s connect timeout each).
  waiting.kafka = scenario.startSink({ 'kafka.bootstrap.servers': '127.0.0.1:1' }, 'no-kafka');
  waiting.registry = scenario.startSink(
    { 'kafka.schema.registry.url': 'http://127.0.0.1:9/apis/ccompat/v7' },
    'no-registry',
  );
  waiting.database = scenario.startSink({ 'mysql.url': 'jdbc:mysql://127.0.0.1:1/bank' }, 'no-database');
});
after(async () => {
  for (const sink of others) await sink.kill('SIGKILL');
  await scenario.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('config errors exit 2 with one line naming the key and the fix, no stack trace', async () => {
  const badFile = join(dir, 'bad.properties');
  writeFileSync(badFile, '# comment\nkafka.topicz=dataset1\n');
  const cases: { args: string[]; says: RegExp[] }[] = [
    {
      args: ['--set', 'kafka.topicz=x'],
      says: [/unknown config key "kafka\.topicz" \(from --set\)/, /did you mean "kafka\.topics"/],
    },
    {
      args: ['--set', 'max.poll.records=abc'],
      says: [/config key max\.poll\.records = "abc"/, /not a whole number; set a whole number from 1 to/],
    },
    {
      args: ['--config', join(dir, 'missing.properties')],
      says: [/config file ".*missing\.properties" does not exist/, /pass a readable properties file/],
    },
    { args: ['--config', badFile], says: [/unknown config key "kafka\.topicz" \(from .*bad\.properties:2\)/] },
  ];
  await Promise.all(
    cases.map(async ({ args, says }) => {
      const result = await runKms(['run', ...args], {}, { timeoutMs: 30_000 });
      const context = describeRun(['run', ...args], result);
      assert.equal(result.code, 2, context);
      assert.equal(result.stdout, '', context);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, context);
      assert.match(lines[0]!, /^kms: /, context);
      for (const say of says) assert.match(lines[0]!, say, context);
    }),
  );
});

test('a kafka.consumer.* value librdkafka refuses exits 2 with one line naming the config key', async () => {
  const cases = [
    {
      property: 'heartbeat.interval.ms',
      value: 'often',
      says: /Invalid value for configuration property "heartbeat\.interval\.ms"/,
    },
    { property: 'no.such.property', value: '1', says: /No such configuration property: "no\.such\.property"/ },
  ];
  await Promise.all(
    cases.map(async ({ property, value, says }) => {
      const args = ['run', ...scenario.sets({ [`kafka.consumer.${property}`]: value })];
      const result = await runKms(args, {}, { timeoutMs: 30_000 });
      const context = describeRun(args, result);
      assert.equal(result.code, 2, context);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, context);
      assert.ok(lines[0]!.startsWith(`kms: config key kafka.consumer.${property}: `), context);
      assert.match(lines[0]!, says, context);
      assert.match(lines[0]!, /; fix or remove it/, context);
    }),
  );
});

test('a wrong database password exits 2 with one line naming mysql and the fix; the password is shown nowhere', async () => {
  const args = ['run', ...scenario.sets({ 'mysql.password': WRONG_PASSWORD })];
  const result = await runKms(args, {}, { timeoutMs: 30_000 });
  const context = describeRun(args, result).replaceAll(WRONG_PASSWORD, '<password>');
  assert.equal(result.code, 2, context);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, context);
  assert.match(
    lines[0]!,
    /^kms: mysql: Access denied for user 'consumer'@.*; check mysql\.username \/ mysql\.password \/ mysql\.url/,
    context,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  // stdout holds only the start-up line with the redacted config.
  const logged = result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; config?: { mysql: { password: string } } });
  assert.deepEqual(
    logged.map((l) => l.msg),
    ['kafka-mysql-sink starting'],
    context,
  );
  assert.equal(logged[0]!.config?.mysql.password, '***');
  assert.ok(!`${result.stdout}${result.stderr}`.includes(WRONG_PASSWORD), 'the wrong password appears nowhere');
});

test('the password appears in no log line, error or status page of a normal run (file, --set and URL forms)', async () => {
  const [fromFile, fromUrl] = scenario.topics as [string, string];
  const file = join(dir, 'sink.properties');
  const database = `jdbc:mysql://${mysqlAddress()}/${scenario.database}`;
  writeFileSync(
    file,
    [
      `kafka.bootstrap.servers=${BOOTSTRAP}`,
      `kafka.schema.registry.url=${REGISTRY}`,
      `kafka.topics=${fromFile}`,
      `mysql.url=${database}`,
      'mysql.username=consumer',
      `mysql.password=${PASSWORD}`,
      'log.level=debug',
      '',
    ].join('\n'),
  );
  const ports = [await freePort(), await freePort()];
  const sinks = [
    new SinkProcess(['--config', file, '--set', `status.port=${ports[0]}`], 'password-in-file'),
    new SinkProcess(
      scenario.sets({
        'kafka.topics': fromUrl,
        'mysql.url': `mysql://consumer:${PASSWORD}@${mysqlAddress()}/${scenario.database}`,
        'mysql.password': PASSWORD,
        'status.port': ports[1]!,
        'log.level': 'debug',
      }),
      'password-in-url-and-set',
    ),
  ];
  others.push(...sinks);
  for (const topic of [fromFile, fromUrl]) {
    await scenario.produceSequenced(topic, 200);
    await scenario.produceRaw(topic, [{ partition: 0, key: Buffer.from('poison'), value: Buffer.from('not avro') }]);
  }
  for (const topic of [fromFile, fromUrl]) await scenario.waitForOffsets(topic, () => 201);
  for (const [i, sink] of sinks.entries()) {
    const pages = await Promise.all(
      ['/', '/status.json', '/metrics', '/healthz'].map(async (path) =>
        (await fetch(`http://127.0.0.1:${ports[i]}${path}`)).text(),
      ),
    );
    assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));
    const starting = sink.logs().find((l) => l.msg === 'kafka-mysql-sink starting') as {
      config: { mysql: { password: string; url: string }; origins: Record<string, string> };
    };
    assert.equal(starting.config.mysql.password, '***');
    assert.equal(starting.config.origins['mysql.password'], i === 0 ? `${file}:6` : '--set');
    if (i === 1) assert.equal(starting.config.mysql.url, `mysql://consumer:***@${mysqlAddress()}/${scenario.database}`);
    assert.ok(sink.logs().length >= 5, `${sink.name} logged a normal run`);
    for (const text of [sink.output, ...pages])
      assert.ok(!text.includes(PASSWORD), `${sink.name}: the password leaked into\n${text.slice(0, 3000)}`);
  }
  for (const topic of [fromFile, fromUrl])
    assert.equal((await scenario.deadLetters(topic)).length, 1, 'the run did write (dead letter included)');
});

for (const [service, where, name] of [
  ['kafka', '127.0.0.1:1', 'kafka'],
  ['schema registry', 'http://127.0.0.1:9/apis/ccompat/v7', 'registry'],
  ['database', '127.0.0.1:1/bank', 'database'],
] as const) {
  test(`an unreachable ${service} at start is retried with growing delay and a clear WARN, never a crash; SIGTERM stops it`, async () => {
    const sink = waiting[name];
    const retries = (): Record<string, unknown>[] =>
      sink.logs().filter((l) => l.msg === `${service} unreachable at ${where}; retrying`);
    await sink.waitForLog(`three retries for the ${service}`, () => retries().length >= 3, 60_000);
    assert.ok(sink.running, `${sink.name} still running, not exited or crash-looping:\n${sink.output.slice(-2000)}`);
    const lines = retries();
    assert.deepEqual(
      lines.map((l) => [l.level, l.service, l.where, l.attempt]),
      lines.map((_, i) => ['WARN', service, where, i + 1]),
    );
    // Exponential with jitter, capped at 10 s: the first three can only grow, none waits longer than the cap.
    const delays = lines.map((l) => l.retryInMs as number);
    assert.ok(
      delays[0]! <= delays[1]! && delays[1]! <= delays[2]! && delays[2]! > delays[0]!,
      `delays grow: ${delays.join(', ')}`,
    );
    assert.ok(
      delays.every((d) => d > 0 && d <= 10_000),
      `delays capped: ${delays.join(', ')}`,
    );
    assert.ok(
      lines.every((l) => typeof l.err === 'string' && l.err.length > 0 && l.err !== 'fetch failed'),
      'each line says why',
    );
    assert.ok(!sink.logs().some((l) => l.level === 'ERROR'), 'no ERROR: waiting is normal');
    // librdkafka repeats its own errors hundreds of times per attempt: they must not flood the log.
    assert.ok(
      sink.logs().filter((l) => l.msg === 'kafka client error').length <= 6,
      'kafka client errors are rate limited',
    );

    assert.equal(await sink.kill('SIGTERM'), 0, sink.output.slice(-2000));
    assert.ok(
      sink.logs().some((l) => l.msg === 'kafka-mysql-sink stopped'),
      'stopped cleanly',
    );
    assert.doesNotMatch(sink.output, /^kms: /m, 'a requested stop is not reported as a failure');
    assert.ok(!sink.output.includes(PASSWORD), 'no password in the output');
  });
}
