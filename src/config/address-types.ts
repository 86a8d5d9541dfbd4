/** Value kinds that address a server: Kafka brokers, the schema registry, the database, a listen address. */
import { readMysqlUrl, type MysqlEndpoint } from './jdbc-url.ts';
import { reject } from './messages.ts';
import { redactUrl } from './secrets.ts';
import { parsedBy, splitList, type ValueType } from './value-types.ts';

const SERVER_RE = /^(?:[A-Za-z][A-Za-z0-9_+.-]*:\/\/)?(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;
const HOST_RE = /^(?:[A-Za-z0-9._-]+|\[?[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?\]?)$/;

/** Comma-separated `host:port` pairs (librdkafka also takes a `protocol://` prefix and no port). */
export const brokerList: ValueType<readonly string[]> = {
  schema: () =>
    parsedBy((value) => {
      const servers = splitList(value);
      if (servers.length === 0) reject('lists no brokers', 'set comma-separated host:port pairs, e.g. 127.0.0.1:9092');
      for (const server of servers) {
        const m = SERVER_RE.exec(server);
        const port = m?.[1] === undefined ? 9092 : Number(m[1]);
        if (m === null || port < 1 || port > 65535) {
          reject(
            `has an invalid broker address ${JSON.stringify(server)}`,
            'set comma-separated host:port pairs, e.g. 127.0.0.1:9092,127.0.0.1:9093',
          );
        }
      }
      return servers;
    }),
};

/** An http(s) base URL, stored without a trailing slash so callers can append `/subjects/...` paths. */
export const httpUrl: ValueType<string> = {
  schema: (example) =>
    parsedBy((value) => {
      if (!isHttpUrl(value)) reject('is not an http(s) URL', `set a URL like ${example}`);
      return value.replace(/\/+$/, '');
    }),
  redactText: (value) => redactUrl(value, { wellFormed: isHttpUrl(value) }),
};

function isHttpUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** The database URL: where to connect, and the same URL with its credentials masked, for display. */
export interface MysqlUrl {
  readonly endpoint: MysqlEndpoint;
  readonly display: string;
}

export const mysqlUrl: ValueType<MysqlUrl> = {
  schema: () =>
    parsedBy((value) => ({ endpoint: readMysqlUrl(value), display: redactUrl(value, { wellFormed: true }) })),
  redactText: (value) => redactUrl(value, { wellFormed: isMysqlUrl(value) }),
};

function isMysqlUrl(value: string): boolean {
  try {
    readMysqlUrl(value);
    return true;
  } catch {
    return false;
  }
}

/** A host name or IP address to listen on; IPv6 brackets are dropped. */
export const hostName: ValueType<string> = {
  schema: () =>
    parsedBy((value) => {
      if (!HOST_RE.test(value)) reject('is not a host name or IP address', 'set e.g. 127.0.0.1, 0.0.0.0 or localhost');
      return value.replace(/^\[(.*)\]$/, '$1');
    }),
};
