import mysql from 'mysql2/promise';
import type { SinkConfig } from '../config/index.ts';
import type { CompiledQuery } from './compiled-query.ts';

export type Pool = mysql.Pool;
export type PoolConnection = mysql.PoolConnection;
/** One row of a SELECT, by column name. */
export type ResultRow = mysql.RowDataPacket;

/** Runs a SELECT and returns its rows. */
export async function selectRows(runner: Pool | PoolConnection, query: CompiledQuery): Promise<ResultRow[]> {
  const [rows] = await runner.query<ResultRow[]>(query.sql, query.parameters as unknown[]);
  return rows;
}

/** Runs a statement that returns no rows. */
export async function execute(runner: Pool | PoolConnection, query: CompiledQuery): Promise<void> {
  await runner.query(query.sql, query.parameters as unknown[]);
}

/**
 * UTC session time so DATETIME values mean the same on every server; strict mode so a bad value fails
 * its statement instead of being silently clipped; exact BIGINTs as strings when beyond 2^53.
 */
export function createPool(config: SinkConfig, database: string | null = config.mysql.database): Pool {
  return mysql.createPool({
    host: config.mysql.host,
    port: config.mysql.port,
    user: config.mysql.user,
    password: config.mysql.password,
    ...(database ? { database } : {}),
    connectionLimit: config.mysql.poolSize,
    maxIdle: config.mysql.poolSize,
    waitForConnections: true,
    queueLimit: 0,
    connectTimeout: 10_000,
    enableKeepAlive: true,
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4_bin',
    multipleStatements: false,
    flags: ['-FOUND_ROWS'],
  });
}

/**
 * MariaDB only (MySQL rejects the name, and the error is ignored): a connection idle inside a
 * transaction for this long is closed by the server, rolling it back. Our transactions never idle
 * between statements; a frozen or partitioned-away owner (SIGSTOP, network cut) would otherwise hold
 * its partition's offset row lock for hours and stall the new owner.
 */
export const MARIADB_SESSION_SETUP = 'SET SESSION idle_transaction_timeout = 60';

/** Applied once per new connection: strict SQL mode and a short lock wait so fencing contention surfaces fast. */
export const SESSION_SETUP =
  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO', time_zone = '+00:00', innodb_lock_wait_timeout = 10";

/** A compiled query as the driver's `query(sql, values)` arguments. */
export function queryArgs(query: CompiledQuery): [string, unknown[]] {
  return [query.sql, query.parameters as unknown[]];
}
