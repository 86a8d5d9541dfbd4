import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runKms } from './helpers/kms-cli.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { assertExactlyOnce, drainWith, refusedAtStart, tails } from './helpers/sink-checks.ts';
import { KAFKA_SASL, SECURE_KAFKA, TLS_FILES, saslSslSettings } from './helpers/services.ts';

/**
 * The sink and the tools against the stack broker's secured listeners: SASL_SSL with a SCRAM user made by
 * Kafka's own tools, and SSL requiring a client certificate. Records are produced on the plaintext
 * listener; everything the sink and `./kms verify` / `status` do goes through the secured one.
 */
const scenario = new SinkScenario(1, 2, 'kms_ksec');
const [topic] = scenario.topics as [string];

const SASL_SSL = saslSslSettings('SCRAM-SHA-512');
const MTLS = {
  'kafka.bootstrap.servers': SECURE_KAFKA.mtls,
  'kafka.security.protocol': 'SSL',
  'kafka.ssl.ca.location': TLS_FILES.ca,
  'kafka.ssl.certificate.location': TLS_FILES.clientCert,
  'kafka.ssl.key.location': TLS_FILES.clientKey,
};

before(async () => {
  await scenario.setup();
});
after(async () => {
  await scenario.cleanup();
});

async function drain(settings: Record<string, string>, name: string): Promise<void> {
  const sink = await drainWith(scenario, topic, 50, settings, name);
  assert.ok(!sink.logs().some((l) => l.msg === 'kafka client error'), tails([sink]));
  await assertExactlyOnce(scenario, name);
}

test('exactly once over SASL_SSL (SCRAM-SHA-512), and ./kms verify and status over the same listener', async () => {
  await drain(SASL_SSL, 'sasl-ssl');
  for (const command of ['verify', 'status']) {
    const args = [command, ...scenario.sets(SASL_SSL)];
    const result = await runKms(args, {}, { timeoutMs: 60_000 });
    assert.equal(result.code, 0, describeRun(args, result));
    assert.ok(!`${result.stdout}${result.stderr}`.includes(KAFKA_SASL.password), 'the SASL password appears nowhere');
  }
});

test('exactly once over SSL with a client certificate (mTLS), after the SASL_SSL run', async () => {
  await drain(MTLS, 'mtls');
});

/** `./kms run` must stop with exit 2 and one line on stderr, having tried once (no reconnect storm). */
async function refused(settings: Record<string, string>, says: RegExp, secret?: string): Promise<void> {
  const { result, context } = await refusedAtStart(scenario, settings, says);
  const warnings = result.stdout.split('\n').filter((l) => /kafka client error|unreachable/.test(l));
  assert.ok(warnings.length <= 1, `one attempt, no retry storm: ${context}`);
  if (secret !== undefined) assert.ok(!`${result.stdout}${result.stderr}`.includes(secret), 'secret leaked');
}

test('a wrong SASL password: one line naming the keys, exit 2, no retry storm, the password shown nowhere', async () => {
  const wrong = 'Wr0ng-Kafka-Pa55';
  await refused(
    { ...SASL_SSL, 'kafka.sasl.password': wrong },
    /^kms: Kafka at 127\.0\.0\.1:\d+ refused the login \(authentication failure\); check kafka\.sasl\.username, kafka\.sasl\.password and kafka\.sasl\.mechanism$/,
    wrong,
  );
});

test('a broker certificate the configured CA did not sign: one line, exit 2', async () => {
  await refused(
    { ...SASL_SSL, 'kafka.ssl.ca.location': TLS_FILES.otherCa },
    /^kms: TLS to Kafka at 127\.0\.0\.1:\d+ failed \(ssl error\): the broker's certificate is not trusted.*kafka\.ssl\.ca\.location/,
    KAFKA_SASL.password,
  );
});
