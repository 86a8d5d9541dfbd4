/**
 * The effective TLS settings of the database connection, from `mysql.ssl.*` and the `sslMode`-style
 * parameters of `mysql.url`, and the problems of their combination. MySQL's own client rules apply: the
 * mode defaults to preferred, and a CA file given without a mode means verify_ca (a CA the operator
 * took the trouble to name is never silently left unchecked).
 */
import type { SslMode } from './jdbc-params.ts';
import type { KeyValues } from './sink-keys.ts';

export interface MysqlTls {
  readonly mode: SslMode;
  /** Absolute paths of PEM files; read when a connection pool is made. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** `modeIsSet`: mysql.ssl.mode was given, not left at its default. */
export function effectiveTls(values: KeyValues, modeIsSet: boolean): MysqlTls {
  const { ssl } = values.mysql;
  const fromUrl = values.mysql.url.endpoint.sslMode;
  const mode: SslMode = modeIsSet ? ssl.mode : (fromUrl ?? (ssl.ca === undefined ? ssl.mode : 'verify_ca'));
  return {
    mode,
    ...(ssl.ca === undefined ? {} : { ca: ssl.ca }),
    ...(ssl.cert === undefined ? {} : { cert: ssl.cert }),
    ...(ssl.key === undefined ? {} : { key: ssl.key }),
  };
}

/** What is contradictory or left unchecked, as `{ about, problem, fix }` for the loader to word. */
export interface TlsProblem {
  readonly about: 'mode' | 'ca' | 'cert' | 'key';
  readonly problem: string;
  readonly fix: string;
}

export function tlsProblems(values: KeyValues, modeIsSet: boolean): TlsProblem[] {
  const { ssl } = values.mysql;
  const fromUrl = values.mysql.url.endpoint.sslMode;
  const problems: TlsProblem[] = [];
  if (modeIsSet && fromUrl !== undefined && fromUrl !== ssl.mode) {
    problems.push({
      about: 'mode',
      problem: `contradicts the TLS parameters of mysql.url (which mean ${fromUrl})`,
      fix: 'remove sslMode/useSSL/requireSSL/verifyServerCertificate from mysql.url or make them agree',
    });
    return problems;
  }
  const { mode } = effectiveTls(values, modeIsSet);
  if (mode === 'disabled') {
    for (const about of ['ca', 'cert', 'key'] as const) {
      if (ssl[about] !== undefined)
        problems.push({
          about,
          problem: 'is set, but TLS is disabled (mysql.ssl.mode or mysql.url)',
          fix: 'remove it, or choose a TLS mode',
        });
    }
  } else if (ssl.ca !== undefined && (mode === 'preferred' || mode === 'required')) {
    problems.push({
      about: 'ca',
      problem: `is set, but the TLS mode ${mode} does not check the server's certificate`,
      fix: 'set mysql.ssl.mode=verify_ca or verify_identity (or remove mysql.ssl.ca)',
    });
  }
  if ((ssl.cert === undefined) !== (ssl.key === undefined)) {
    const about = ssl.cert === undefined ? 'key' : 'cert';
    problems.push({
      about,
      problem: 'is set without its pair',
      fix: 'set both mysql.ssl.cert and mysql.ssl.key (the client certificate and its private key)',
    });
  }
  return problems;
}
