import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteIdentifier } from '../../src/mysql/identifiers.ts';
import { BasicAuthProxy } from './helpers/basic-auth-proxy.ts';
import { describeRun, runKms } from './helpers/kms-cli.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { tails } from './helpers/sink-checks.ts';
import { KAFKA_SASL, REGISTRY, TLS_FILES, freePort, saslSslSettings } from './helpers/services.ts';
import { uniqueName } from './helpers/unique.ts';

/**
 * A run with all three hops secured (MySQL TLS as a REQUIRE SSL user, Kafka SASL_SSL, registry HTTPS with
 * basic auth), a poison record so there is an error to show, and the tools and config errors beside it.
 * Every byte the sink and the tools print and every page and endpoint of the status server is searched
 * for each secret, plain and in the forms it travels in (URL-encoded, base64 of user:password).
 */
const scenario = new SinkScenario(1, 2, 'kms_secret');
const [topic] = scenario.topics as [string];
const MYSQL_USER = uniqueName('sec').slice(0, 32);
const MYSQL_SECRET = 'My5ql-S3cret-Qx7!';
const REGISTRY_USER = 'registry-user';
const REGISTRY_SECRET = 'Reg-S3cret-Wp4#';
const proxy = new BasicAuthProxy(REGISTRY, REGISTRY_USER, REGISTRY_SECRET, {
  cert: TLS_FILES.serverCert,
  key: TLS_FILES.serverKey,
});
const SECRETS = [MYSQL_SECRET, KAFKA_SASL.password, REGISTRY_SECRET];
/** The forms a secret could leak in besides itself. */
const FORMS = SECRETS.flatMap((s) => [s, encodeURIComponent(s)]).concat([
  Buffer.from(`${REGISTRY_USER}:${REGISTRY_SECRET}`).toString('base64'),
]);

let secured: Record<string, string>;

before(async () => {
  await scenario.setup();
  await proxy.start();
  await scenario.admin.query('CREATE USER ?@? IDENTIFIED BY ? REQUIRE SSL', [MYSQL_USER, '127.0.0.1', MYSQL_SECRET]);
  await scenario.admin.query(
    `GRANT SELECT, INSERT, UPDATE, CREATE, ALTER ON ${quoteIdentifier(scenario.database)}.* TO ?@?`,
    [MYSQL_USER, '127.0.0.1'],
  );
  secured = {
    'mysql.username': MYSQL_USER,
    'mysql.password': MYSQL_SECRET,
    'mysql.ssl.mode': 'verify_identity',
    'mysql.ssl.ca': TLS_FILES.ca,
    ...saslSslSettings('SCRAM-SHA-256'),
    'kafka.schema.registry.url': proxy.url(),
    'kafka.schema.registry.ssl.ca.location': TLS_FILES.ca,
    'kafka.schema.registry.basic.auth.credentials.source': 'USER_INFO',
    'kafka.schema.registry.basic.auth.user.info': `${REGISTRY_USER}:${REGISTRY_SECRET}`,
    'log.level': 'debug',
  };
});
after(async () => {
  await proxy.stop();
  await scenario.admin.query('DROP USER IF EXISTS ?@?', [MYSQL_USER, '127.0.0.1']).catch(() => {});
  await scenario.cleanup();
});

function assertNoSecret(where: string, text: string): void {
  for (const form of FORMS) assert.ok(!text.includes(form), `a secret (${form.slice(0, 3)}…) appears in ${where}`);
}

test('no secret in any log line, error, status page, endpoint or tool output of a fully secured run', async () => {
  await scenario.produceSequenced(topic, 60);
  await scenario.produceRaw(topic, [{ partition: 1, key: Buffer.from('bad'), value: Buffer.from('not avro') }]);
  const port = await freePort();
  const sink = scenario.startSink({ ...secured, 'status.port': port }, 'secured');
  await scenario
    .waitForOffsets(topic, (p) => scenario.produced(topic, p) + (p === 1 ? 1 : 0), 90_000)
    .catch((error: unknown) => {
      throw new Error(`${String(error)}\n${tails([sink])}`);
    });
  assert.ok(proxy.authorized > 0, 'the registry was reached with basic auth');
  const [connected] = sink.logs().filter((l) => l.msg === 'database connected');
  assert.match(String(connected?.tlsCipher), /^TLS_/, 'the database session is encrypted');

  const base = `http://127.0.0.1:${port}`;
  const deadLetters = (await (await fetch(`${base}/api/dead-letters`)).json()) as { deadLetters: { id: number }[] };
  assert.equal(deadLetters.deadLetters.length, 1, 'the poison record is on the page');
  const paths = [
    '/',
    '/app.js',
    '/render.js',
    '/chart.js',
    '/style.css',
    '/status.json',
    '/metrics',
    '/healthz',
    '/api/overview',
    '/api/history',
    '/api/dead-letters',
    `/api/dead-letters/${deadLetters.deadLetters[0]!.id}`,
    `/api/peek?topic=${topic}&partition=1&count=5`,
    '/api/dead-letters?limit=nope',
    '/no-such-page',
  ];
  for (const path of paths) {
    const response = await fetch(`${base}${path}`);
    assertNoSecret(
      `GET ${path} (${response.status})`,
      `${JSON.stringify([...response.headers])}${await response.text()}`,
    );
  }
  assert.equal(await sink.kill('SIGTERM'), 0, tails([sink]));
  assertNoSecret('the sink output', sink.output);

  // The tools over the same secured hops, and failures with the secrets set.
  const runs: [string[], number][] = [
    [['status', ...scenario.sets(secured)], 0],
    [['verify', ...scenario.sets(secured)], 1], // the dead letter: rows + dead letters = offsets, still exit 0 or 1
    [['run', ...scenario.sets({ ...secured, 'max.poll.records': 'x' })], 2],
    [['run', ...scenario.sets({ ...secured, 'mysql.password': `${MYSQL_SECRET}-wrong` })], 2],
    [['run', ...scenario.sets({ ...secured, 'kafka.sasl.password': `${KAFKA_SASL.password}-wrong` })], 2],
  ];
  for (const [args, expected] of runs) {
    const result = await runKms(args, {}, { timeoutMs: 60_000 });
    const context = describeRun(args, result);
    if (expected === 2) assert.equal(result.code, 2, context);
    else assert.ok(result.code === 0 || result.code === expected, context);
    assertNoSecret(`./kms ${args[0]} output`, `${result.stdout}${result.stderr}`);
  }
});
