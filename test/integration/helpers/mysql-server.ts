import { stackOptions } from '../../../kit/stack/stack-options.ts';
import { PROJECT_ROOT } from './kms-cli.ts';

export interface MysqlAdmin {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/**
 * The MySQL server the tests write to, as its administrator. `./kms test` passes the stack's server
 * (KMS_MYSQL_ADMIN_HOST / _PORT / _USER / _PASSWORD), as it passes Kafka's and the registry's addresses;
 * a test file run on its own falls back to what the stack would use. Read at each call, so a test with
 * a server of its own can point the harness at it.
 */
export function mysqlAdmin(env: NodeJS.ProcessEnv = process.env): MysqlAdmin {
  const stack = stackOptions(PROJECT_ROOT, {}, env).mysql;
  return {
    host: env.KMS_MYSQL_ADMIN_HOST ?? stack.host,
    port: Number(env.KMS_MYSQL_ADMIN_PORT ?? stack.port),
    user: env.KMS_MYSQL_ADMIN_USER ?? stack.adminUser,
    password: env.KMS_MYSQL_ADMIN_PASSWORD ?? stack.adminPassword,
  };
}

/** `host:port` of that server, for `mysql.url`. */
export function mysqlAddress(): string {
  const { host, port } = mysqlAdmin();
  return `${host}:${port}`;
}
