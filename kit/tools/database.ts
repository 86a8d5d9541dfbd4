/**
 * Database access for the operator tools: the sink's own pool (same user, same session settings), the
 * database created on demand, and every driver failure turned into one line that names the server and
 * the config key to fix, never the password.
 */
import mysql from 'mysql2/promise';
import type { SinkConfig } from '../../src/config/index.ts';
import { SinkError, describeError } from '../../src/core/errors.ts';
import { createPool, type Pool } from '../../src/mysql/pool.ts';
import { createDatabase } from '../../src/mysql/ddl.ts';
import { quoteIdentifier } from '../../src/mysql/identifiers.ts';
import { adminConnection } from '../stack/mariadb-service.ts';
import { stackOptions } from '../stack/stack-options.ts';
import { projectRoot } from '../../src/app/project-root.ts';

const ACCESS_DENIED = 1045;
const DB_ACCESS_DENIED = 1044;
const UNKNOWN_DATABASE = 1049;
const CONNECT_TIMEOUT_MS = 8_000;
/** Driver codes meaning "no server to talk to": the fix is the address or starting the server. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
]);

interface DriverError {
  errno?: number;
  code?: string;
}

function server(config: SinkConfig): string {
  return `${config.mysql.host}:${config.mysql.port}`;
}

function origin(config: SinkConfig, key: string): string {
  return config.origins[key] ?? 'default';
}

/** Wrong credentials are a config problem (exit code 2); everything else is the service's (exit code 1). */
export function databaseError(config: SinkConfig, error: unknown, doing = 'answered with an error'): SinkError {
  if (error instanceof SinkError) return error;
  const e = error as DriverError;
  if (e?.errno === ACCESS_DENIED) {
    return new SinkError(
      'CONFIG_INVALID',
      `database ${server(config)} refused user ${JSON.stringify(config.mysql.user)} (access denied): check mysql.username (from ${origin(config, 'mysql.username')}) and mysql.password (from ${origin(config, 'mysql.password')})`,
      { cause: error },
    );
  }
  if (e?.errno === UNKNOWN_DATABASE) {
    return new SinkError(
      'DB_FATAL',
      `database ${JSON.stringify(config.mysql.database)} does not exist on ${server(config)}: run ./kms provision first, or fix mysql.url (from ${origin(config, 'mysql.url')})`,
      { cause: error },
    );
  }
  if (e?.code !== undefined && CONNECTION_CODES.has(e.code)) {
    return new SinkError(
      'DB_FATAL',
      `database ${server(config)} could not be reached (${e.code}); check mysql.url (from ${origin(config, 'mysql.url')}) or start MariaDB (./kms stack up)`,
      { retriable: true, cause: error },
    );
  }
  return new SinkError('DB_FATAL', `database ${server(config)} ${doing}: ${describeError(error)}`, { cause: error });
}

/** The sink's pool on the configured database, proven to answer (pools connect lazily). */
export async function openPool(config: SinkConfig): Promise<Pool> {
  const pool = createPool(config);
  try {
    await pool.query('SELECT 1');
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
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({
      host: config.mysql.host,
      port: config.mysql.port,
      user: config.mysql.user,
      password: config.mysql.password,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    throw databaseError(config, error);
  }
  try {
    const existed = await databaseExists(connection, name);
    if (existed) return { created: false, viaAdmin: false };
    const ddl = createDatabase(name);
    await connection.query(ddl.sql);
    return { created: true, viaAdmin: false };
  } catch (error) {
    if ((error as DriverError).errno !== DB_ACCESS_DENIED)
      throw databaseError(config, error, 'failed to create the database');
  } finally {
    await connection.end().catch(() => {});
  }
  return createAsAdmin(config);
}

async function databaseExists(connection: mysql.Connection, name: string): Promise<boolean> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [name],
  );
  return rows.length > 0;
}

async function createAsAdmin(config: SinkConfig): Promise<EnsureDatabaseResult> {
  const name = config.mysql.database;
  const base = stackOptions(projectRoot()).mysql;
  let admin: mysql.Connection;
  try {
    admin = await adminConnection(
      stackOptions(projectRoot(), { mysql: { ...base, host: config.mysql.host, port: config.mysql.port } }),
    );
  } catch (error) {
    throw new SinkError(
      'DB_FATAL',
      `user ${JSON.stringify(config.mysql.user)} may not create database ${JSON.stringify(name)} and the admin account ${JSON.stringify(base.adminUser)} could not connect (${describeError(error)}); create the database by hand or set KMS_MYSQL_ADMIN_USER / KMS_MYSQL_ADMIN_PASSWORD`,
      { cause: error },
    );
  }
  try {
    const existed = await databaseExists(admin, name);
    if (!existed) await admin.query(createDatabase(name).sql);
    // In GRANT, `_` and `%` in a database name are wildcards: escape them so exactly this one is granted.
    const grantTarget = quoteIdentifier(name.replace(/([_%\\])/g, '\\$1'));
    const [hosts] = await admin.query<mysql.RowDataPacket[]>('SELECT Host FROM mysql.user WHERE User = ?', [
      config.mysql.user,
    ]);
    for (const row of hosts) {
      await admin.query(`GRANT ALL PRIVILEGES ON ${grantTarget}.* TO ?@?`, [config.mysql.user, String(row.Host)]);
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
