import mysql from 'mysql2/promise';
import type { StackOptions } from './stack-options.ts';

/** A connection as the stack's administrator: to its own server, or to the external one it was told about. */
export async function adminConnection(options: StackOptions): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: options.mysql.host,
    port: options.mysql.port,
    user: options.mysql.adminUser,
    password: options.mysql.adminPassword,
    connectTimeout: 3_000,
  });
}

/** Readiness is a real query answered, not an open port: the server accepts TCP before it can serve. */
export async function answersQueries(options: StackOptions): Promise<boolean> {
  try {
    const connection = await adminConnection(options);
    try {
      await connection.query('SELECT 1');
      return true;
    } finally {
      await connection.end().catch(() => undefined);
    }
  } catch {
    return false;
  }
}
