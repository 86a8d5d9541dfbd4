import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BasicAuthProxy } from './helpers/basic-auth-proxy.ts';
import { SinkScenario, useScenarioBehind } from './helpers/sink-harness.ts';
import { assertExactlyOnce, drainWith, refusedAtStart } from './helpers/sink-checks.ts';
import { REGISTRY, SECURE_REGISTRY, TLS_FILES } from './helpers/services.ts';

/**
 * The schema registry over HTTPS with the stack's CA (Apicurio serving TLS from PEM files), and with
 * HTTP basic auth given Confluent's two ways: `basic.auth.credentials.source=USER_INFO` with
 * `basic.auth.user.info`, and user:password@ in the URL. Each run is a fresh sink process, so it
 * fetches the writer schema through the secured path before it can write a row.
 */
const scenario = new SinkScenario(1, 2, 'kms_rsec');
const [topic] = scenario.topics as [string];
const USER = 'registry-user';
const PASSWORD = 'Reg1stry-Pa55!';
const proxy = new BasicAuthProxy(REGISTRY, USER, PASSWORD, { cert: TLS_FILES.serverCert, key: TLS_FILES.serverKey });

useScenarioBehind(scenario, proxy);

async function drain(settings: Record<string, string>, name: string): Promise<void> {
  const sink = await drainWith(scenario, topic, 30, settings, name);
  const output = JSON.stringify(sink.logs());
  assert.ok(!output.includes(PASSWORD), 'the registry password appears in no log line');
  await assertExactlyOnce(scenario, name);
}

async function refused(settings: Record<string, string>, says: RegExp): Promise<void> {
  const { result } = await refusedAtStart(scenario, settings, says);
  assert.ok(!`${result.stdout}${result.stderr}`.includes(PASSWORD), 'the registry password appears nowhere');
}

test('exactly once with the registry over HTTPS, trusting the stack CA from kafka.schema.registry.ssl.ca.location', async () => {
  await drain(
    { 'kafka.schema.registry.url': SECURE_REGISTRY, 'kafka.schema.registry.ssl.ca.location': TLS_FILES.ca },
    'https',
  );
});

test('HTTPS with a CA that did not sign the registry certificate: one line, exit 2', async () => {
  await refused(
    { 'kafka.schema.registry.url': SECURE_REGISTRY, 'kafka.schema.registry.ssl.ca.location': TLS_FILES.otherCa },
    /^kms: schema registry https:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7: TLS certificate not accepted: [A-Z_]+ .*set kafka\.schema\.registry\.ssl\.ca\.location/,
  );
});

test('basic auth over HTTPS: USER_INFO, then credentials in the URL; the password is redacted', async () => {
  const before = proxy.authorized;
  await drain(
    {
      'kafka.schema.registry.url': proxy.url(),
      'kafka.schema.registry.ssl.ca.location': TLS_FILES.ca,
      'kafka.schema.registry.basic.auth.credentials.source': 'USER_INFO',
      'kafka.schema.registry.basic.auth.user.info': `${USER}:${PASSWORD}`,
    },
    'user-info',
  );
  const afterUserInfo = proxy.authorized;
  assert.ok(afterUserInfo > before, 'the sink authenticated to the registry');
  await drain(
    {
      'kafka.schema.registry.url': proxy.url(`${USER}:${encodeURIComponent(PASSWORD)}@`),
      'kafka.schema.registry.ssl.ca.location': TLS_FILES.ca,
    },
    'url-credentials',
  );
  assert.ok(proxy.authorized > afterUserInfo, 'the sink authenticated with the URL credentials');
  assert.equal(proxy.refused, 0);
});

test('wrong registry credentials: one line, exit 2', async () => {
  await refused(
    {
      'kafka.schema.registry.url': proxy.url(),
      'kafka.schema.registry.ssl.ca.location': TLS_FILES.ca,
      'kafka.schema.registry.basic.auth.credentials.source': 'USER_INFO',
      'kafka.schema.registry.basic.auth.user.info': `${USER}:not-${PASSWORD}`,
    },
    /^kms: schema registry https:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7 refused the credentials \(HTTP 401\); check kafka\.schema\.registry\.basic\.auth\.user\.info/,
  );
});
