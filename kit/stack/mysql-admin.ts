import { type Connection, connect, ping } from '../../src/mysql/pool.ts';
import type { StackOptions } from './stack-options.ts';

/** A connection as the stack's administrator: to its own server, or to the external one it was told about. */
export function adminConnection(options: StackOptions): Promise<Connection> {
  return connect({
    host: options.mysql.host,
    port: options.mysql.port,
    user: options.mysql.adminUser,
    password: options.mysql.adminPassword,
    connectTimeoutMs: 3_000,
  });
}

/** Readiness is a real query answered, not an open port: the server accepts TCP before it can serve. */
export async function answersQueries(options: StackOptions): Promise<boolean> {
  try {
    const connection = await adminConnection(options);
    try {
      await ping(connection);
      return true;
    } finally {
      await connection.end().catch(() => undefined);
    }
  } catch {
    return false;
  }
}
