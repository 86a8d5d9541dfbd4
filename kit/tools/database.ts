/**
 * Database access for the operator tools: the sink's own pool (same user, same session settings), the
 * database created on demand, and every driver failure turned into one line that names the server and
 * the config key to fix, never the password.
 */
import type { SinkConfig } from '../../src/config/index.ts';
import { SinkError, describeError } from '../../src/core/errors.ts';
import { exactDatabase, grantAllOnDatabases, selectUserHosts } from '../../src/mysql/admin-sql.ts';
import { selectDatabaseExists } from '../../src/mysql/catalog-sql.ts';
import { createDatabase } from '../../src/mysql/ddl.ts';
import {
  isDatabaseAccessDenied,
  isUnknownDatabase,
  isWrongCredentials,
  unreachableCode,
} from '../../src/mysql/errno.ts';
import {
  type Connection,
  type Pool,
  type QueryRunner,
  connect,
  createPool,
  ping,
  execute,
  selectRows,
  sinkLogin,
} from '../../src/mysql/pool.ts';
import { tlsFailure, tlsHint } from '../../src/mysql/tls.ts';
import { adminConnection } from '../stack/mariadb-service.ts';
import { stackOptions } from '../stack/stack-options.ts';
import { projectRoot } from '../../src/app/project-root.ts';

const CONNECT_TIMEOUT_MS = 8_000;

function server(config: SinkConfig): string {
  return `${config.mysql.host}:${config.mysql.port}`;
}

function origin(config: SinkConfig, key: string): string {
  return config.origins[key] ?? 'default';
}

/** Wrong credentials are a config problem (exit code 2); everything else is the service's (exit code 1). */
export function databaseError(config: SinkConfig, error: unknown, doing = 'answered with an error'): SinkError {
  if (error instanceof SinkError) return error;
  const tls = tlsFailure(error, server(config));
  if (tls !== undefined) return tls;
  if (isWrongCredentials(error)) {
    return new SinkError(
      'CONFIG_INVALID',
      `database ${server(config)} refused user ${JSON.stringify(config.mysql.user)} (access denied): ` +
        `check mysql.username (from ${origin(config, 'mysql.username')}) ` +
        `and mysql.password (from ${origin(config, 'mysql.password')})${tlsHint(config.mysql.ssl)}`,
      { cause: error },
    );
  }
  if (isUnknownDatabase(error)) {
    return new SinkError(
      'DB_FATAL',
      `database ${JSON.stringify(config.mysql.database)} does not exist on ${server(config)}: ` +
        `run ./kms provision first, or fix mysql.url (from ${origin(config, 'mysql.url')})`,
      { cause: error },
    );
  }
  const unreachable = unreachableCode(error);
  if (unreachable !== undefined) {
    return new SinkError(
      'DB_FATAL',
      `database ${server(config)} could not be reached (${unreachable}); ` +
        `check mysql.url (from ${origin(config, 'mysql.url')}) or start MariaDB (./kms stack up)`,
      { retriable: true, cause: error },
    );
  }
  return new SinkError('DB_FATAL', `database ${server(config)} ${doing}: ${describeError(error)}`, { cause: error });
}

/** The sink's pool on the configured database, proven to answer (pools connect lazily). */
export async function openPool(config: SinkConfig): Promise<Pool> {
  const pool = createPool(config);
  try {
    await ping(pool);
    return pool;
  } catch (error) {
    await pool.end().catch(() => {});
    throw databaseError(config, error);
  }
}

export interface EnsureDatabaseResult {
  readonly created: boolean;
  /** True when the sink user lacked the right and the admin account (root) created it. */
  readonly viaAdmin: boolean;
}

/**
 * CREATE DATABASE as the sink user first (it may own `kms_*` and `bank`); only when the server says that
 * user may not, fall back to the local admin account, which also grants the sink user the new database.
 */
export async function ensureDatabase(config: SinkConfig): Promise<EnsureDatabaseResult> {
  const name = config.mysql.database;
  let connection: Connection;
  try {
    connection = await connect({ ...sinkLogin(config, null), connectTimeoutMs: CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw databaseError(config, error);
  }
  try {
    if (await databaseExists(connection, name)) return { created: false, viaAdmin: false };
    await execute(connection, createDatabase(name));
    return { created: true, viaAdmin: false };
  } catch (error) {
    if (!isDatabaseAccessDenied(error)) throw databaseError(config, error, 'failed to create the database');
  } finally {
    await connection.end().catch(() => {});
  }
  return createAsAdmin(config);
}

async function databaseExists(runner: QueryRunner, name: string): Promise<boolean> {
  return (await selectRows(runner, selectDatabaseExists(name))).length > 0;
}

async function createAsAdmin(config: SinkConfig): Promise<EnsureDatabaseResult> {
  const name = config.mysql.database;
  const base = stackOptions(projectRoot()).mysql;
  let admin: Connection;
  try {
    admin = await adminConnection(
      stackOptions(projectRoot(), { mysql: { ...base, host: config.mysql.host, port: config.mysql.port } }),
    );
  } catch (error) {
    throw new SinkError(
      'DB_FATAL',
      `user ${JSON.stringify(config.mysql.user)} may not create database ${JSON.stringify(name)} and the admin ` +
        `account ${JSON.stringify(base.adminUser)} could not connect (${describeError(error)}); ` +
        'create the database by hand or set KMS_MYSQL_ADMIN_USER / KMS_MYSQL_ADMIN_PASSWORD',
      { cause: error },
    );
  }
  try {
    const existed = await databaseExists(admin, name);
    if (!existed) await execute(admin, createDatabase(name));
    for (const row of await selectRows(admin, selectUserHosts(config.mysql.user))) {
      await execute(admin, grantAllOnDatabases(exactDatabase(name), config.mysql.user, String(row.host)));
    }
    return { created: !existed, viaAdmin: true };
  } catch (error) {
    throw new SinkError(
      'DB_FATAL',
      `admin account could not create database ${JSON.stringify(name)}: ${describeError(error)}`,
      { cause: error },
    );
  } finally {
    await admin.end().catch(() => {});
  }
}
