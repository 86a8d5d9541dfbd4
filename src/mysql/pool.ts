import mysql from 'mysql2/promise';
import type { SinkConfig } from '../config/index.ts';
import type { CompiledQuery } from './compiled-query.ts';
import { type TlsSettings, tlsConnectionOptions } from './tls.ts';

export type Pool = mysql.Pool;
export type PoolConnection = mysql.PoolConnection;
/** A single connection outside any pool (operator tools, administration). */
export type Connection = mysql.Connection;
/** Anything a compiled query can run on. */
export type QueryRunner = Pool | PoolConnection | Connection;
/** One row of a SELECT, by column name. */
export type ResultRow = mysql.RowDataPacket;

/** Runs a SELECT and returns its rows. */
export async function selectRows(runner: QueryRunner, query: CompiledQuery): Promise<ResultRow[]> {
  const [rows] = await runner.query<ResultRow[]>(query.sql, query.parameters as unknown[]);
  return rows;
}

/** Runs a statement that returns no rows. */
export async function execute(runner: QueryRunner, query: CompiledQuery): Promise<void> {
  await runner.query(query.sql, query.parameters as unknown[]);
}

/**
 * Runs an UPDATE / DELETE and says how many rows it matched. The pool turns FOUND_ROWS off, so the
 * affected count is rows *changed*; an UPDATE that rewrites a row with the same values still matched it,
 * which only the server's info line ("Rows matched: 1  Changed: 0  Warnings: 0") says.
 */
export async function executeCounting(runner: QueryRunner, query: CompiledQuery): Promise<number> {
  const [result] = await runner.query<mysql.ResultSetHeader>(query.sql, query.parameters as unknown[]);
  const matched = /Rows matched:\s*(\d+)/i.exec(result.info ?? '');
  return matched === null ? result.affectedRows : Number(matched[1]);
}

/** Proves the server answers (pools connect lazily, so this is where a wrong address or password shows). */
export async function ping(runner: QueryRunner): Promise<void> {
  await runner.query('SELECT 1');
}

/** Who logs in where, for a single connection. */
export interface Login {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Default database; none when omitted. */
  readonly database?: string;
  readonly connectTimeoutMs?: number;
  /** TLS (MySQL's modes); preferred when omitted, like MySQL's own clients. */
  readonly tls?: TlsSettings;
}

const PREFERRED: TlsSettings = { mode: 'preferred' };

/** The connection options every pool and connection shares: address, account, TLS. */
function loginOptions(login: Login) {
  return {
    host: login.host,
    port: login.port,
    user: login.user,
    password: login.password,
    ...(login.database ? { database: login.database } : {}),
    ...(login.connectTimeoutMs === undefined ? {} : { connectTimeout: login.connectTimeoutMs }),
    ...tlsConnectionOptions(login.tls ?? PREFERRED),
  };
}

/** The sink user's login from the configuration, on the configured database unless `database` says otherwise. */
export function sinkLogin(config: SinkConfig, database: string | null = config.mysql.database): Login {
  const { host, port, user, password, ssl } = config.mysql;
  return { host, port, user, password, tls: ssl, ...(database ? { database } : {}) };
}

/** One connection outside the pool; exact BIGINTs as strings when beyond 2^53, like the pool's. */
export function connect(login: Login): Promise<Connection> {
  return mysql.createConnection({
    ...loginOptions(login),
    supportBigNumbers: true,
    multipleStatements: false,
  });
}

/**
 * A few connections for one login (an administrator, a tool): unlike a single connection it outlives a
 * server restart, since a broken connection is replaced on the next query.
 */
export function createLoginPool(login: Login, connectionLimit = 2): Pool {
  return mysql.createPool({
    ...loginOptions(login),
    connectionLimit,
    maxIdle: connectionLimit,
    supportBigNumbers: true,
    multipleStatements: false,
  });
}

/**
 * UTC session time so DATETIME values mean the same on every server; strict mode so a bad value fails
 * its statement instead of being silently clipped; exact BIGINTs as strings when beyond 2^53.
 */
export function createPool(config: SinkConfig, database: string | null = config.mysql.database): Pool {
  return mysql.createPool({
    ...loginOptions(sinkLogin(config, database)),
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
 * The pool the sink writes through: `createPool` with the session settings below applied to every new
 * connection. A connection killed before its set-up ran fails its first real query too, which is retried.
 */
export function createWriterPool(config: SinkConfig): Pool {
  const pool = createPool(config);
  const setup = writerSessionSetup(config.kafka.sessionTimeoutMs);
  pool.pool.on('connection', (connection) => {
    connection.query(setup.common, () => {});
    connection.query(setup.mariadb, () => {});
  });
  return pool;
}

/**
 * The writer's session settings, tied to the Kafka session timeout: the time after which the group gives
 * a silent member's partitions to another instance.
 *
 * - `idle_transaction_timeout` (MariaDB only; MySQL rejects the name and the error is ignored): a
 *   connection idle inside a transaction for this long is closed by the server, rolling it back. Our
 *   transactions never idle between statements; a frozen or partitioned-away owner (SIGSTOP, network
 *   cut) would otherwise hold its partition's offset row lock and stall the new owner. Equal to the
 *   session timeout (at least 5 s), its transaction ends about when its partitions move: the new owner's
 *   first batch waits at most a few seconds more. MySQL 8 has no such setting: there the lock holds
 *   until the frozen client's connection dies (wait_timeout, TCP keep-alive).
 * - `innodb_lock_wait_timeout`: a short wait, retried with backoff, so contention surfaces fast instead
 *   of one statement hanging for the server's 50 s default.
 */
export function writerSessionSetup(sessionTimeoutMs: number): { readonly common: string; readonly mariadb: string } {
  const idleSeconds = Math.max(5, Math.ceil(sessionTimeoutMs / 1000));
  const lockWaitSeconds = Math.max(1, Math.min(10, Math.ceil(sessionTimeoutMs / 2000)));
  return {
    common:
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,NO_ZERO_IN_DATE," +
      `ERROR_FOR_DIVISION_BY_ZERO', time_zone = '+00:00', innodb_lock_wait_timeout = ${lockWaitSeconds}`,
    mariadb: `SET SESSION idle_transaction_timeout = ${idleSeconds}`,
  };
}

/** `createPool`'s settings with a pool of its own size: a side reader (the status page) beside the writer's pool. */
export function createSidePool(config: SinkConfig, connections: number, connectTimeoutMs = 5_000): Pool {
  return mysql.createPool({
    ...loginOptions(sinkLogin(config)),
    connectionLimit: connections,
    maxIdle: connections,
    connectTimeout: connectTimeoutMs,
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    charset: 'utf8mb4_bin',
    multipleStatements: false,
  });
}
