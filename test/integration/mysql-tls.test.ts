import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, createServer, type Socket } from 'node:net';
import { SSL_USER, X509_USER } from '../../kit/stack/mariadb-service.ts';
import { connect } from '../../src/mysql/pool.ts';
import { sessionCipher } from '../../src/mysql/tls.ts';
import { mysqlAdmin } from './helpers/mysql-server.ts';
import { SinkScenario } from './helpers/sink-harness.ts';
import { assertExactlyOnce, linesWith, refusedAtStart, tails } from './helpers/sink-checks.ts';
import { TLS_FILES } from './helpers/services.ts';

/**
 * TLS to the database against the stack's own MariaDB, which offers TLS with the stack's certificates and
 * has accounts created REQUIRE SSL and REQUIRE X509: the sink drains through verified TLS (the server
 * enforces it for those accounts, and reports the session cipher); every TLS failure is one line, exit 2.
 */
const PASSWORD = 'consumer1!';
const scenario = new SinkScenario(1, 2, 'kms_tls');
const [topic] = scenario.topics as [string];

before(async () => {
  await scenario.setup();
});
after(async () => {
  await scenario.cleanup();
});

/** `./kms run` with these settings must exit 2 with exactly one line on stderr matching `says`. */
async function refused(settings: Record<string, string>, says: RegExp): Promise<string> {
  const { result, line } = await refusedAtStart(scenario, settings, says);
  assert.ok(!`${result.stdout}${result.stderr}`.includes(PASSWORD), 'the password appears nowhere');
  return line;
}

test('the sink drains exactly once through verify_identity TLS as a REQUIRE SSL user, then as a REQUIRE X509 user', async () => {
  const runs: Record<string, string>[] = [
    {
      'mysql.username': SSL_USER,
      'mysql.ssl.mode': 'verify_identity',
      'mysql.ssl.ca': TLS_FILES.ca,
    },
    {
      // The JDBC form a Java application would carry, plus the client certificate.
      'mysql.url': `${scenario.settings()['mysql.url']}?useSSL=true&verifyServerCertificate=true`,
      'mysql.username': X509_USER,
      'mysql.ssl.ca': TLS_FILES.ca,
      'mysql.ssl.cert': TLS_FILES.clientCert,
      'mysql.ssl.key': TLS_FILES.clientKey,
    },
  ];
  for (const [i, settings] of runs.entries()) {
    await scenario.produceSequenced(topic, 40);
    const sink = scenario.startSink(settings, `tls-${i}`);
    await scenario
      .waitForOffsets(topic, (p) => scenario.produced(topic, p), 90_000)
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\n${tails([sink])}`);
      });
    const [connected] = linesWith(sink, 'database connected');
    assert.ok(connected, tails([sink]));
    assert.equal(connected.sslMode, i === 0 ? 'verify_identity' : 'verify_ca');
    assert.match(String(connected.tlsCipher), /^TLS_|^ECDHE|^AES/, 'the server reports an encrypted session');
    assert.equal(await sink.kill('SIGTERM'), 0, tails([sink]));
    await assertExactlyOnce(scenario, `after run ${i}`);
  }
  // The server side: the same login through the product's connection helper is encrypted, and the
  // accounts really are refused without TLS / without a certificate.
  const { host, port } = mysqlAdmin();
  const tls = { mode: 'verify_identity' as const, ca: TLS_FILES.ca };
  const session = await connect({ host, port, user: SSL_USER, password: PASSWORD, tls });
  try {
    assert.notEqual(await sessionCipher(session), '');
  } finally {
    await session.end();
  }
  await assert.rejects(
    connect({ host, port, user: X509_USER, password: PASSWORD, tls }),
    /Access denied/,
    'REQUIRE X509 without a client certificate',
  );
});

test('verify_ca with a CA that did not sign the server certificate: one line, exit 2', async () => {
  await refused(
    { 'mysql.ssl.mode': 'verify_ca', 'mysql.ssl.ca': TLS_FILES.otherCa },
    /^kms: mysql: the certificate of the database server 127\.0\.0\.1:\d+ is not trusted \(.*\); set mysql\.ssl\.ca to the CA file that signed/,
  );
});

test('verify_identity through an address the certificate does not name (127.0.0.2): refused; verify_ca there: accepted', async () => {
  // All of 127/8 is loopback; the server listens on 127.0.0.1 only, so a relay on 127.0.0.2 reaches it.
  const { host, port } = mysqlAdmin();
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = createConnection({ host, port });
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.2', resolve));
  const relayPort = (relay.address() as { port: number }).port;
  try {
    const login = { host: '127.0.0.2', port: relayPort, user: SSL_USER, password: PASSWORD };
    await assert.rejects(
      connect({ ...login, tls: { mode: 'verify_identity', ca: TLS_FILES.ca } }),
      (error: { code?: string; message?: string }) => /altnames|does not match/i.test(String(error.message)),
    );
    const session = await connect({ ...login, tls: { mode: 'verify_ca', ca: TLS_FILES.ca } });
    assert.notEqual(await sessionCipher(session), '');
    await session.end();
    await refused(
      {
        'mysql.url': `jdbc:mysql://127.0.0.2:${relayPort}/${scenario.database}?sslMode=VERIFY_IDENTITY`,
        'mysql.ssl.ca': TLS_FILES.ca,
      },
      /^kms: mysql: the certificate of the database server 127\.0\.0\.2:\d+ does not name that host \(.*\); connect by a name the certificate lists/,
    );
  } finally {
    // A connection the test did not expect to succeed must not keep the file running.
    for (const socket of sockets) socket.destroy();
    relay.close();
  }
});

test('the REQUIRE SSL user without TLS: one line naming the account and the TLS mode, exit 2', async () => {
  await refused(
    { 'mysql.username': SSL_USER, 'mysql.ssl.mode': 'disabled' },
    /^kms: mysql: Access denied for user 'consumer_ssl'@'127\.0\.0\.1'.*check mysql\.username.*REQUIRE SSL or X509 also needs mysql\.ssl\.mode=required/,
  );
});

test('a missing certificate file and an unsupported URL parameter: one line, exit 2, before connecting', async () => {
  await refused(
    { 'mysql.ssl.ca': `${TLS_FILES.dir}/no-such-ca.pem` },
    /^kms: config key mysql\.ssl\.ca = ".*no-such-ca\.pem" \(from --set\) names no file; set the path of an existing PEM file/,
  );
  await refused(
    { 'mysql.url': `${scenario.settings()['mysql.url']}?sslMode=REQUIRED&autoReconnect=true` },
    /^kms: config key mysql\.url = .* has query parameter "autoReconnect", which the sink does not implement/,
  );
});

test('required against a server without TLS: one line, exit 2 (the machine MariaDB on 3306, when it has no TLS)', async (t) => {
  const plain = { host: '127.0.0.1', port: 3306 };
  let haveSsl: string;
  try {
    const probe = await connect({
      ...plain,
      user: 'root',
      password: '',
      tls: { mode: 'disabled' },
      connectTimeoutMs: 3_000,
    });
    try {
      const [rows] = (await probe.query("SHOW VARIABLES LIKE 'have_ssl'")) as unknown as [{ Value: string }[]];
      haveSsl = rows[0]?.Value ?? 'NO';
    } finally {
      await probe.end();
    }
  } catch {
    t.skip('no MariaDB answers as root on 127.0.0.1:3306');
    return;
  }
  if (haveSsl === 'YES') {
    t.skip('the MariaDB on 127.0.0.1:3306 offers TLS');
    return;
  }
  await refused(
    { 'mysql.url': 'jdbc:mysql://127.0.0.1:3306/bank?sslMode=REQUIRED' },
    /^kms: mysql: the database server 127\.0\.0\.1:3306 offers no TLS, but mysql\.ssl\.mode \(or sslMode in mysql\.url\) requires it/,
  );
});
