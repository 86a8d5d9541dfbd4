/**
 * TLS to the database: MySQL's `--ssl-mode` meanings as mysql2 connection options. Every pool and
 * connection (pool.ts) gets its options from here, so the product and the kit connect the same way.
 *
 * - disabled: plain TCP.
 * - preferred: TLS when the server offers it, plain TCP when it does not; the certificate is not checked.
 * - required: TLS or no connection; the certificate is not checked.
 * - verify_ca: TLS, and the server's certificate must chain to `ca` (or to Node's bundled CAs).
 * - verify_identity: verify_ca, and the certificate must name the host connected to (DNS name or IP).
 *
 * A client certificate (`cert` + `key`) is presented in every TLS mode, for users created REQUIRE X509.
 */
import { readFileSync } from 'node:fs';
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import type { SslOptions } from 'mysql2';
import type { MysqlTls } from '../config/index.ts';
import { SinkError } from '../core/errors.ts';

/** The mode and PEM file paths (the loaded config's `mysql.ssl`). */
export type TlsSettings = MysqlTls;

/** mysql2 options for the settings: `ssl`, and for preferred a socket factory that can fall back to plain TCP. */
export interface TlsConnectionOptions {
  readonly ssl?: SslOptions;
  readonly stream?: (opts: { config: StreamConfig }) => Socket;
}

/** The part of mysql2's connection config the socket factory reads and, for preferred, sets. */
interface StreamConfig {
  host: string;
  port: number;
  enableKeepAlive?: boolean;
  keepAliveInitialDelay?: number;
  ssl: SslOptions | false;
}

/** The PEM files the settings name (a missing one named by its config key), for either driver. */
export interface TlsMaterial {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** verify_ca and verify_identity: the server's certificate must chain to the CA. */
  readonly verify: boolean;
}

export function tlsMaterial(tls: TlsSettings): TlsMaterial {
  return {
    ...(tls.ca === undefined ? {} : { ca: readPem(tls.ca, 'mysql.ssl.ca') }),
    ...(tls.cert === undefined ? {} : { cert: readPem(tls.cert, 'mysql.ssl.cert') }),
    ...(tls.key === undefined ? {} : { key: readPem(tls.key, 'mysql.ssl.key') }),
    verify: tls.mode === 'verify_ca' || tls.mode === 'verify_identity',
  };
}

export function tlsConnectionOptions(tls: TlsSettings): TlsConnectionOptions {
  if (tls.mode === 'disabled') return {};
  const { verify, ...files } = tlsMaterial(tls);
  const ssl: SslOptions = { ...files, rejectUnauthorized: verify, verifyIdentity: tls.mode === 'verify_identity' };
  if (tls.mode === 'verify_identity') return { ssl, stream: ({ config }) => identitySocket(config) };
  if (tls.mode !== 'preferred') return { ssl };
  return { ssl, stream: ({ config }) => preferTls(config, ssl) };
}

function plainSocket(config: StreamConfig): Socket {
  const socket = tcpConnect(config.port, config.host);
  socket.setNoDelay(true);
  if (config.enableKeepAlive) socket.on('connect', () => socket.setKeepAlive(true, config.keepAliveInitialDelay));
  return socket;
}

/**
 * verify_identity to an IP address: mysql2 gives the TLS layer no server name for an IP, and Node then
 * checks the certificate against the socket's host name, which a socket connected to an IP lacks, so
 * it falls back to "localhost" (any localhost certificate would pass). Naming the host on the socket
 * makes the check use the address actually connected to.
 */
function identitySocket(config: StreamConfig): Socket {
  const socket = plainSocket(config);
  if (isIP(config.host.replace(/^\[(.*)\]$/, '$1')) !== 0) (socket as Socket & { _host: string })._host = config.host;
  return socket;
}

/**
 * mysql2 knows only "TLS or fail". For preferred, the socket is ours: its first chunk is the server's
 * greeting, whose capability flags say whether it offers TLS, and our listener runs before mysql2's
 * (registered later), so the config's `ssl` is set for this server before mysql2 reads it. A pool's
 * connections share that config; they all talk to the same server, which offers TLS to all or none.
 */
function preferTls(config: StreamConfig, ssl: SslOptions): Socket {
  const socket = plainSocket(config);
  socket.once('data', (chunk: Buffer) => {
    const offered = offersTls(chunk);
    if (offered !== undefined) config.ssl = offered ? ssl : false;
  });
  return socket;
}

/** CLIENT_SSL in the greeting's lower capability flags. */
const CLIENT_SSL = 0x0800;

/**
 * Whether the greeting (protocol 10: header, version byte, NUL-terminated server version, 4-byte thread
 * id, 8 bytes of scramble, a filler, then the flags) offers TLS; undefined when the chunk is not one.
 */
export function offersTls(chunk: Buffer): boolean | undefined {
  if (chunk.length < 5 || chunk[4] !== 10) return undefined;
  const versionEnd = chunk.indexOf(0, 5);
  if (versionEnd < 0) return undefined;
  const flagsAt = versionEnd + 1 + 4 + 8 + 1;
  if (chunk.length < flagsAt + 2) return undefined;
  return (chunk.readUInt16LE(flagsAt) & CLIENT_SSL) !== 0;
}

function readPem(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SinkError(
      'CONFIG_INVALID',
      `config key ${key} = ${JSON.stringify(path)} cannot be read (${code}); set the path of a PEM file`,
    );
  }
}

/**
 * A failed connection attempt whose cause is TLS, as one line naming the server and the key to change
 * (a config problem: exit code 2, never retried); undefined for any other failure. `server` is host:port.
 */
export function tlsFailure(error: unknown, server: string): SinkError | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const said = typeof message === 'string' ? message.replace(/\s+/g, ' ').trim() : '';
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new SinkError(
      'CONFIG_INVALID',
      `mysql: the database server ${server} offers no TLS, but mysql.ssl.mode (or sslMode in mysql.url) requires it; enable TLS on the server (ssl_cert, ssl_key) or set mysql.ssl.mode=preferred`,
      { cause: error },
    );
  }
  if (code !== 'HANDSHAKE_SSL_ERROR') return undefined;
  const nameMismatch = /altname|hostname|does not match/i.test(said);
  const untrusted = !nameMismatch && /certificate|self.signed|issuer|verify/i.test(said);
  const what = untrusted
    ? `the certificate of the database server ${server} is not trusted`
    : nameMismatch
      ? `the certificate of the database server ${server} does not name that host`
      : `TLS to the database server ${server} failed`;
  const fix = untrusted
    ? "set mysql.ssl.ca to the CA file that signed the server's certificate"
    : nameMismatch
      ? 'connect by a name the certificate lists, or use mysql.ssl.mode=verify_ca'
      : 'check mysql.ssl.* and the TLS settings of the server';
  return new SinkError('CONFIG_INVALID', `mysql: ${what} (${said}); ${fix}`, { cause: error });
}

/** Access denied to a user that is required to use TLS shows as a plain 1045; a hint for that case. */
export function tlsHint(tls: TlsSettings): string {
  return tls.mode === 'disabled' || tls.mode === 'preferred'
    ? ` (a user created REQUIRE SSL or X509 also needs mysql.ssl.mode=required or stronger${tls.cert === undefined ? ', and X509 mysql.ssl.cert / mysql.ssl.key' : ''})`
    : '';
}

/** The TLS cipher of a session, as the server reports it; empty when the session is plain text. */
export async function sessionCipher(runner: { query: (sql: string) => Promise<unknown> }): Promise<string> {
  const [rows] = (await runner.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")) as [{ Value?: unknown }[]];
  return String(rows[0]?.Value ?? '');
}
