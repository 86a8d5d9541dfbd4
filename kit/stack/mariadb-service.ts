import { spawn } from 'node:child_process';
import { SinkError, describeError } from '../../src/core/errors.ts';
import { createUserIfAbsent, grantAllOnDatabases } from '../../src/mysql/admin-sql.ts';
import { createDatabase } from '../../src/mysql/ddl.ts';
import { type Connection, connect, execute, ping } from '../../src/mysql/pool.ts';
import { waitUntil } from './process-control.ts';
import type { StackOptions } from './stack-options.ts';

/** The seed's database and credentials; the sink's defaults point at them. */
export const SINK_DATABASE = 'bank';
export const SINK_USER = 'consumer';
export const SINK_PASSWORD = 'consumer1!';
/** Databases the test suite and benchmarks create for themselves; the sink user may use them too. */
export const SCRATCH_DATABASE_PATTERN = 'kms\\_%';

/**
 * The machine's MariaDB is not ours: we never stop it. If it is down we start it the way the machine
 * does, then make sure the sink's database and user exist with the rights the sink needs.
 */
export async function ensureMariaDb(options: StackOptions): Promise<string> {
  const { host, port } = options.mysql;
  if (!(await canConnect(options))) {
    startServer();
    const result = await waitUntil(() => canConnect(options), {
      timeoutMs: Math.min(options.readyTimeoutMs, 60_000),
      intervalMs: 500,
    });
    if (result !== 'ready') {
      throw new SinkError(
        'STACK_FAILED',
        `mariadb: no answer at ${host}:${port} as ${options.mysql.adminUser}; log: /var/log/mysql/error.log (or journal of mariadbd)`,
      );
    }
  }
  const admin = await adminConnection(options);
  try {
    await execute(admin, createDatabase(SINK_DATABASE));
    for (const userHost of ['localhost', '127.0.0.1', '%']) {
      await execute(admin, createUserIfAbsent(SINK_USER, userHost, SINK_PASSWORD));
      await execute(admin, grantAllOnDatabases(SINK_DATABASE, SINK_USER, userHost));
      await execute(admin, grantAllOnDatabases(SCRATCH_DATABASE_PATTERN, SINK_USER, userHost));
    }
  } catch (error) {
    throw new SinkError(
      'STACK_FAILED',
      `mariadb: could not create database ${SINK_DATABASE} / user ${SINK_USER}: ${describeError(error)}`,
    );
  } finally {
    await admin.end();
  }
  return `${host}:${port}/${SINK_DATABASE}`;
}

export async function adminConnection(options: StackOptions): Promise<Connection> {
  return connect({
    host: options.mysql.host,
    port: options.mysql.port,
    user: options.mysql.adminUser,
    password: options.mysql.adminPassword,
    connectTimeoutMs: 3_000,
  });
}

async function canConnect(options: StackOptions): Promise<boolean> {
  try {
    const connection = await adminConnection(options);
    await ping(connection);
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

function startServer(): void {
  const child = spawn('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd'], {
    stdio: 'ignore',
    detached: true,
  });
  child.on('error', () => {
    /* reported by the readiness wait */
  });
  child.unref();
}
