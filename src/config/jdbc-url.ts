/**
 * The database address, from the seed's JDBC form (`jdbc:mysql://host:port/db?params`) or the URL form
 * most Node drivers use (`mysql://user:pass@host:port/db`). Errors never contain the password: the URL
 * is shown only after `redactUrl`, and no part of the authority is echoed on its own.
 */
import { readUrlParameters, type SslMode } from './jdbc-params.ts';
import { configError, InvalidValue, reject } from './messages.ts';
import { redactUrl } from './secrets.ts';

export interface MysqlEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
  /** The TLS mode the URL's parameters ask for (`sslMode`, `useSSL`, ...); none when they say nothing. */
  readonly sslMode?: SslMode;
}

export interface UrlContext {
  /** Key the URL came from, named in errors; default `mysql.url`. */
  readonly key?: string;
  /** Where it came from (file:line, env var, flag), named in errors. */
  readonly source?: string;
}

export const DEFAULT_MYSQL_PORT = 3306;
export const MYSQL_URL_EXAMPLE = 'jdbc:mysql://127.0.0.1:3306/bank (or mysql://user:password@127.0.0.1:3306/bank)';

const URL_RE = /^(?:jdbc:)?(?:mysql|mariadb):\/\/(.*)$/is;
const SUBPROTOCOL_RE = /^(?:jdbc:)?(?:mysql|mariadb):[a-z+:-]+:?\/\//i;
const HOSTNAME_RE = /^[A-Za-z0-9._-]+$/;
const IPV6_RE = /^\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?\]$/;

/** `readMysqlUrl` for callers outside the loader: the error names the key, the redacted URL and its source. */
export function parseJdbcUrl(url: string, context: UrlContext = {}): MysqlEndpoint {
  try {
    return readMysqlUrl(url);
  } catch (error) {
    if (!(error instanceof InvalidValue)) throw error;
    throw configError({
      key: context.key ?? 'mysql.url',
      value: redactUrl(url.trim()),
      ...(context.source === undefined ? {} : { source: context.source }),
      problem: error.problem,
      fix: error.fix,
    });
  }
}

/** Parses a database URL or throws an InvalidValue that never quotes the password. */
export function readMysqlUrl(url: string): MysqlEndpoint {
  const text = url.trim();
  const hasCredentials = text.includes('@');
  const fail = (problem: string, extraFix = ''): never => {
    const encodeHint = hasCredentials
      ? '; percent-encode special characters in the user and password (@ as %40, / as %2F, : as %3A, # as %23)'
      : '';
    return reject(problem, `${extraFix}use a URL like ${MYSQL_URL_EXAMPLE}${encodeHint}`);
  };

  if (text === '') fail('is empty');
  const match = URL_RE.exec(text);
  if (match === null) {
    if (SUBPROTOCOL_RE.test(text))
      fail('uses a failover/load-balancing sub-protocol, which is not supported', 'give a single server and ');
    if (/^mysqlx:/i.test(text))
      fail('uses the X protocol (mysqlx), which is not supported', 'use the classic protocol on port 3306 and ');
    return fail('is not a MySQL/MariaDB URL (expected jdbc:mysql://, jdbc:mariadb://, mysql:// or mariadb://)');
  }
  const rest = match[1] ?? '';

  if (rest.includes('#')) fail('contains "#" (URL fragments are not allowed)');
  const authorityEnd = firstIndexOf(rest, ['/', '?']);
  const authority = rest.slice(0, authorityEnd);
  const afterAuthority = rest.slice(authorityEnd);

  let user: string | undefined;
  let password: string | undefined;
  let hostPort = authority;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userInfo = authority.slice(0, at);
    hostPort = authority.slice(at + 1);
    const colon = userInfo.indexOf(':');
    const rawUser = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
    const rawPassword = colon >= 0 ? userInfo.slice(colon + 1) : undefined;
    user = decode(rawUser) ?? fail('has a malformed %-escape in the user name');
    if (rawPassword !== undefined) password = decode(rawPassword) ?? fail('has a malformed %-escape in the password');
    if (user === '') user = undefined;
  }

  if (hostPort.includes(','))
    fail('lists several servers', 'give a single server (failover lists are not supported) and ');
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = close >= 0 ? hostPort.slice(0, close + 1) : hostPort;
    if (!IPV6_RE.test(host)) fail('has a malformed IPv6 address (write it as [::1])');
    const tail = hostPort.slice(host.length);
    if (tail !== '') {
      if (!tail.startsWith(':')) fail('has text after the IPv6 address');
      portText = tail.slice(1);
    }
  } else {
    const colon = hostPort.indexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    portText = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
    // Connector/J reads an empty host as localhost (`jdbc:mysql:///bank`); keep that meaning.
    if (host === '') host = 'localhost';
    else if (!HOSTNAME_RE.test(host)) fail('has an invalid host name (letters, digits, ".", "-", "_" only)');
  }
  let port = DEFAULT_MYSQL_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) fail('has an invalid port (expected a number from 1 to 65535)');
    port = Number(portText);
    if (port < 1 || port > 65535) fail('has a port out of range (expected 1 to 65535)');
  }

  const queryStart = afterAuthority.indexOf('?');
  const path = queryStart >= 0 ? afterAuthority.slice(0, queryStart) : afterAuthority;
  const query = queryStart >= 0 ? afterAuthority.slice(queryStart + 1) : '';
  const database = decode(path.replace(/^\//, '')) ?? fail('has a malformed %-escape in the database name');
  if (database === '') fail('names no database', 'append the database, e.g. /bank, and ');
  if (database.includes('/')) fail('has a database name containing "/"');
  if (database.length > 64) fail('has a database name longer than 64 characters');

  const params: [name: string, value: string][] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name =
      decode(eq >= 0 ? pair.slice(0, eq) : pair) ?? fail('has a malformed %-escape in a query parameter name');
    const value =
      decode(eq >= 0 ? pair.slice(eq + 1) : '') ?? fail(`has a malformed %-escape in query parameter "${name}"`);
    if (name === 'user') user ??= value === '' ? undefined : value;
    else if (name === 'password') password ??= value;
    else params.push([name, value]);
  }
  const sslMode = readUrlParameters(params);

  return Object.freeze({
    host,
    port,
    database,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    ...(sslMode === undefined ? {} : { sslMode }),
  });
}

function firstIndexOf(text: string, chars: readonly string[]): number {
  let best = text.length;
  for (const ch of chars) {
    const i = text.indexOf(ch);
    if (i >= 0 && i < best) best = i;
  }
  return best;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
