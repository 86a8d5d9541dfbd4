import type { CompiledQuery } from '../../../src/mysql/compiled-query.ts';
import { createDatabase, dropDatabase } from '../../../src/mysql/ddl.ts';
import { type Pool, type ResultRow, execute } from '../../../src/mysql/pool.ts';
import { rootConnection, rootPool } from './services.ts';
import { uniqueName } from './unique.ts';

/**
 * A database of a test's own on the machine's MariaDB, used as root and dropped (with any other database
 * the test named through `dropAlso`) by `drop()`. Never touches a database it was not given.
 */
export class ScratchDatabase {
  readonly name: string;
  readonly #others: string[] = [];
  #admin: Pool | undefined;

  constructor(name = uniqueName('kms_test')) {
    this.name = name;
  }

  /** For tests whose code under test does not create the database itself. */
  async create(): Promise<void> {
    await execute(await this.admin(), createDatabase(this.name));
  }

  /**
   * Root on the server, kept until `drop()`: a small pool, so it outlives a server restart. Its default
   * database is none (qualify names, or use `query`).
   */
  async admin(): Promise<Pool> {
    this.#admin ??= rootPool();
    return this.#admin;
  }

  /** Runs one statement in this database, as root; a SELECT's rows come back. */
  async query<T = ResultRow[]>(statement: string | CompiledQuery, parameters: readonly unknown[] = []): Promise<T> {
    const connection = await rootConnection(this.name);
    try {
      const [sql, values] =
        typeof statement === 'string' ? [statement, parameters] : [statement.sql, statement.parameters];
      const [rows] = await connection.query(sql, [...values]);
      return rows as T;
    } finally {
      await connection.end();
    }
  }

  /** Another database the test makes (e.g. through a tool under test), dropped together with this one. */
  dropAlso(name: string): void {
    this.#others.push(name);
  }

  async drop(): Promise<void> {
    const admin = await this.admin();
    try {
      for (const name of [this.name, ...this.#others]) await execute(admin, dropDatabase(name));
    } finally {
      this.#admin = undefined;
      await admin.end().catch(() => {});
    }
  }
}
