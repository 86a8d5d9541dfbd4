/**
 * Account administration, run by an administrator account (root on the local stack): the sink user
 * and its rights on a database. Names are bound (`?@?`) or quoted, never spliced in.
 */
import { type CompiledQuery, compiled } from './compiled-query.ts';
import { quoteIdentifier } from './identifiers.ts';

/** Rows `{ host }`: every host the user is defined for (`'consumer'@'localhost'`, `…@'%'`, …). */
export function selectUserHosts(user: string): CompiledQuery {
  return compiled('SELECT Host AS host FROM mysql.user WHERE User = ?', [user]);
}

/** Creates the account unless it exists; an existing account keeps its password. */
export function createUserIfAbsent(user: string, host: string, password: string): CompiledQuery {
  return compiled('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
}

/**
 * ALL PRIVILEGES on the databases `pattern` names. In GRANT, `_` and `%` are wildcards (`kms\_%` is every
 * database starting with `kms_`); use `exactDatabase` to grant one database by its name.
 */
export function grantAllOnDatabases(pattern: string, user: string, host: string): CompiledQuery {
  return compiled(`GRANT ALL PRIVILEGES ON ${quoteIdentifier(pattern)}.* TO ?@?`, [user, host]);
}

/** The GRANT pattern matching exactly this database: its wildcards and backslashes escaped. */
export function exactDatabase(name: string): string {
  return name.replace(/([_%\\])/g, '\\$1');
}

/** The account may log in only over TLS (SSL), and only with a client certificate of a trusted CA (X509). */
export function requireTls(user: string, host: string, require: 'SSL' | 'X509'): CompiledQuery {
  return compiled(`ALTER USER ?@? REQUIRE ${require}`, [user, host]);
}

/** Drops one account; `IF EXISTS` so a second run (or a racing one) is not an error. */
export function dropUser(user: string, host: string): CompiledQuery {
  return compiled('DROP USER IF EXISTS ?@?', [user, host]);
}
