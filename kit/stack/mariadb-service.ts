import { spawn } from 'node:child_process';
import { SinkError, describeError } from '../../src/core/errors.ts';
import { createUserIfAbsent, grantAllOnDatabases, requireTls } from '../../src/mysql/admin-sql.ts';
import { createDatabase } from '../../src/mysql/ddl.ts';
import { execute } from '../../src/mysql/pool.ts';
import { startMariaDbServer } from './mariadb-server.ts';
import { adminConnection, answersQueries } from './mysql-admin.ts';
import { waitUntil } from './process-control.ts';
import type { StackOptions } from './stack-options.ts';

export { adminConnection } from './mysql-admin.ts';

/** The seed's database and credentials; the sink's defaults point at them. */
export const SINK_DATABASE = 'bank';
export const SINK_USER = 'consumer';
export const SINK_PASSWORD = 'consumer1!';
/**
 * Accounts that must use TLS (same password and rights as the sink user): REQUIRE SSL, and REQUIRE X509
 * (a client certificate signed by the stack's CA, tls/client.pem). Made on the stack's own server only.
 */
export const SSL_USER = 'consumer_ssl';
export const X509_USER = 'consumer_x509';
/** Databases the test suite and benchmarks create for themselves; the sink user may use them too. */
export const SCRATCH_DATABASE_PATTERN = 'kms\\_%';

/**
 * The stack's database: its own server (started if needed), or with KMS_MARIADB=external a server
 * somebody else runs. Either way it then makes sure the sink's database and user exist with the rights
 * the sink needs.
 */
export async function ensureMariaDb(options: StackOptions): Promise<string> {
  if (options.mariadb === 'own') await startMariaDbServer(options);
  else await reachExternalServer(options);
  await ensureSinkAccount(options);
  return `${options.mysql.host}:${options.mysql.port}/${SINK_DATABASE}`;
}

async function ensureSinkAccount(options: StackOptions): Promise<void> {
  const admin = await adminConnection(options);
  try {
    await execute(admin, createDatabase(SINK_DATABASE));
    for (const userHost of ['localhost', '127.0.0.1', '%']) {
      await execute(admin, createUserIfAbsent(SINK_USER, userHost, SINK_PASSWORD));
      await execute(admin, grantAllOnDatabases(SINK_DATABASE, SINK_USER, userHost));
      await execute(admin, grantAllOnDatabases(SCRATCH_DATABASE_PATTERN, SINK_USER, userHost));
    }
    if (options.mariadb === 'own') {
      for (const [user, require] of [
        [SSL_USER, 'SSL'],
        [X509_USER, 'X509'],
      ] as const) {
        await execute(admin, createUserIfAbsent(user, '127.0.0.1', SINK_PASSWORD));
        await execute(admin, requireTls(user, '127.0.0.1', require));
        await execute(admin, grantAllOnDatabases(SINK_DATABASE, user, '127.0.0.1'));
        await execute(admin, grantAllOnDatabases(SCRATCH_DATABASE_PATTERN, user, '127.0.0.1'));
      }
    }
  } catch (error) {
    throw new SinkError(
      'STACK_FAILED',
      `mariadb: could not create database ${SINK_DATABASE} / user ${SINK_USER}: ${describeError(error)}`,
    );
  } finally {
    await admin.end();
  }
}

/**
 * An external server is not ours: we never stop it. If it is down we start it the way the machine
 * does (its own service definition), and wait for it to answer.
 */
async function reachExternalServer(options: StackOptions): Promise<void> {
  if (await answersQueries(options)) return;
  startMachineServer();
  const result = await waitUntil(() => answersQueries(options), {
    timeoutMs: Math.min(options.readyTimeoutMs, 60_000),
    intervalMs: 500,
  });
  if (result !== 'ready') {
    const { host, port, adminUser } = options.mysql;
    throw new SinkError(
      'STACK_FAILED',
      `mariadb: no answer at ${host}:${port} as ${adminUser} (KMS_MARIADB=external: check KMS_MYSQL_ADMIN_HOST / _PORT / _USER / _PASSWORD); log: /var/log/mysql/error.log (or journal of mariadbd)`,
    );
  }
}

function startMachineServer(): void {
  const child = spawn('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd'], {
    stdio: 'ignore',
    detached: true,
  });
  child.on('error', () => {
    /* reported by the readiness wait */
  });
  child.unref();
}
