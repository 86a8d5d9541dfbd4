/**
 * `mysql.write.protocol=bulk`: MariaDB's bulk protocol (COM_STMT_BULK_EXECUTE, MariaDB >= 10.2) through
 * the official `mariadb` connector. One prepared INSERT is sent once with all rows' values in binary form:
 * the server parses no SQL text per row, which halves its CPU per row against a text multi-row INSERT
 * (docs/benchmarks.md, "Write protocol A/B").
 *
 * The whole batch transaction (offset lock, rows, dead letters, offset update) must stay on ONE
 * connection, so a bulk connection also runs the writer's other statements: `BulkConnection` offers the
 * part of mysql2's connection the writer and the offset store use (query, transactions, release/destroy).
 */
import type { SecureContextOptions } from 'node:tls';
import type * as mariadb from 'mariadb';
import type { SinkConfig } from '../config/index.ts';
import { selectServerVersion } from './catalog-sql.ts';
import { type Pool, type PoolConnection, selectRows, writerSessionSetup } from './pool.ts';
import { tlsMaterial } from './tls.ts';
import { guardTlsHandshakeResets } from './tls-handshake-guard.ts';

/** A pool of bulk-capable connections; `undefined` from `openBulkPool` means "use the text protocol". */
export interface BulkPool {
  getConnection(): Promise<BulkConnection>;
  end(): Promise<void>;
}

/** A mysql2-shaped connection (as far as the batch writer uses one) that can also send a bulk INSERT. */
export type BulkConnection = PoolConnection & {
  /** Runs `sql` (one row of placeholders) for every row, in one bulk command; returns rows affected. */
  bulkInsert(sql: string, rows: readonly (readonly unknown[])[]): Promise<number>;
};

/** True when the server is MariaDB (the bulk protocol is MariaDB's; MySQL has no COM_STMT_BULK_EXECUTE). */
export async function isMariaDb(pool: Pool): Promise<boolean> {
  const rows = await selectRows(pool, selectServerVersion());
  return /mariadb/i.test(String(rows[0]?.version ?? ''));
}

/**
 * The bulk pool when `mysql.write.protocol=bulk` and the server is MariaDB, else undefined (text). The
 * server is asked through the writer's own pool, so this runs once the database answers.
 */
export async function openBulkPool(
  config: SinkConfig,
  textPool: Pool,
  warn: (message: string) => void = () => {},
): Promise<BulkPool | undefined> {
  if (config.mysql.writeProtocol !== 'bulk' || !(await isMariaDb(textPool))) return undefined;
  const setup = writerSessionSetup(config.kafka.sessionTimeoutMs);
  const tls = await bulkTls(config, textPool);
  if (tls.ssl !== undefined) guardTlsHandshakeResets(warn);
  // Loaded only when used: the text protocol (the default) starts without the second driver.
  const { createPool } = await import('mariadb');
  const pool = createPool({
    host: config.mysql.host,
    port: config.mysql.port,
    user: config.mysql.user,
    password: config.mysql.password,
    ...(config.mysql.database ? { database: config.mysql.database } : {}),
    ...tls,
    connectionLimit: config.mysql.poolSize,
    connectTimeout: 10_000,
    // The text pool's conventions: UTC, exact BIGINTs, utf8mb4 binary collation, affected = changed rows.
    timezone: '+00:00',
    charset: 'utf8mb4',
    collation: 'UTF8MB4_BIN',
    foundRows: false,
    bigIntAsNumber: false,
    dateStrings: true,
    multipleStatements: false,
    // A writer session's first statement (the fence) opens its transaction: no START TRANSACTION round trip.
    initSql: [setup.common, setup.mariadb, 'SET SESSION autocommit = 0'],
  });
  return {
    getConnection: async () => adapt(await pool.getConnection()),
    end: () => pool.end(),
  };
}

/**
 * TLS like the text pool: verify modes verify; `preferred` uses TLS exactly when the text pool's session
 * did (the server offered it); `disabled` never.
 */
async function bulkTls(config: SinkConfig, textPool: Pool): Promise<{ ssl?: SecureContextOptions | boolean }> {
  const tls = config.mysql.ssl;
  if (tls.mode === 'disabled') return {};
  if (tls.mode === 'preferred') {
    const rows = await selectRows(textPool, { sql: "SHOW SESSION STATUS LIKE 'Ssl_cipher'", parameters: [] });
    if (String(rows[0]?.Value ?? '') === '') return {};
  }
  const { verify, ...files } = tlsMaterial(tls);
  return {
    ssl: {
      ...files,
      rejectUnauthorized: verify,
      ...(tls.mode === 'verify_ca' ? { checkServerIdentity: () => undefined } : {}),
    } as SecureContextOptions,
  };
}

/** mysql2 answers `[rows, fields]`; the writer's helpers read only the first element. */
function adapt(connection: mariadb.PoolConnection): BulkConnection {
  const adapted = {
    query: async (sql: string, values?: unknown[]) => [await connection.query(sql, values)],
    // autocommit = 0 (above): the next statement opens the transaction; COMMIT or ROLLBACK ends it.
    beginTransaction: async () => {},
    commit: () => connection.commit(),
    rollback: () => connection.rollback(),
    release: () => {
      void connection.release().catch(() => {});
    },
    destroy: () => {
      void connection.destroy();
    },
    bulkInsert: async (sql: string, rows: readonly (readonly unknown[])[]) => {
      const result = (await connection.batch(sql, rows as unknown[][])) as { affectedRows?: number };
      return Number(result.affectedRows ?? rows.length);
    },
  };
  // Only the members above are used on a writer connection (batch-writer.ts, offset-store.ts).
  return adapted as unknown as BulkConnection;
}
