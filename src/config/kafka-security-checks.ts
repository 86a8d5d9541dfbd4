/**
 * The Kafka security keys must agree with each other: SASL needs a user and a password, TLS files need a
 * TLS protocol, a client certificate needs its key. A setting that would be silently unused is refused,
 * like the database's TLS files (mysql-tls.ts).
 */
import type { KeyValues } from './sink-keys.ts';

type SecurityField = keyof KeyValues['kafka']['security'];
type RegistryField = keyof KeyValues['kafka']['registry'];

export interface SecurityProblem {
  readonly about: SecurityField;
  readonly problem: string;
  readonly fix: string;
}

export function kafkaSecurityProblems(values: KeyValues): SecurityProblem[] {
  const s = values.kafka.security;
  const problems: SecurityProblem[] = [];
  const sasl = s.protocol === 'sasl_plaintext' || s.protocol === 'sasl_ssl';
  const tls = s.protocol === 'ssl' || s.protocol === 'sasl_ssl';
  const protocol = s.protocol.toUpperCase();
  if (sasl) {
    if (s.saslUsername === '')
      problems.push({
        about: 'saslUsername',
        problem: `is empty, but ${protocol} needs it`,
        fix: 'set the SASL user name',
      });
    if (s.saslPassword === '')
      problems.push({
        about: 'saslPassword',
        problem: `is empty, but ${protocol} needs it`,
        fix: 'set the SASL password',
      });
  } else {
    for (const about of ['saslUsername', 'saslPassword'] as const) {
      if (s[about] !== '')
        problems.push({
          about,
          problem: `is set, but kafka.security.protocol=${protocol} does not use SASL`,
          fix: 'set kafka.security.protocol=SASL_SSL (or SASL_PLAINTEXT), or remove it',
        });
    }
  }
  if (!tls) {
    for (const about of ['sslCaLocation', 'sslCertificateLocation', 'sslKeyLocation'] as const) {
      if (s[about] !== undefined)
        problems.push({
          about,
          problem: `is set, but kafka.security.protocol=${protocol} does not use TLS`,
          fix: 'set kafka.security.protocol=SSL or SASL_SSL, or remove it',
        });
    }
  }
  if ((s.sslCertificateLocation === undefined) !== (s.sslKeyLocation === undefined)) {
    problems.push({
      about: s.sslCertificateLocation === undefined ? 'sslKeyLocation' : 'sslCertificateLocation',
      problem: 'is set without its pair',
      fix: 'set both kafka.ssl.certificate.location and kafka.ssl.key.location',
    });
  }
  return problems;
}

export interface RegistryProblem {
  readonly about: RegistryField;
  readonly problem: string;
  readonly fix: string;
}

/** Confluent's rules: USER_INFO takes `user:password` from its key, URL takes the URL's user-info. */
export function registryProblems(values: KeyValues): RegistryProblem[] {
  const r = values.kafka.registry;
  const url = URL.parse(values.kafka.schemaRegistryUrl);
  const problems: RegistryProblem[] = [];
  if (r.credentialsSource === 'user_info') {
    if (!r.userInfo.includes(':'))
      problems.push({
        about: 'userInfo',
        problem: 'is not user:password, but the credentials source is USER_INFO',
        fix: 'set it to user:password',
      });
    if (url !== null && url.username !== '')
      problems.push({
        about: 'credentialsSource',
        problem: 'is USER_INFO, but kafka.schema.registry.url carries credentials too',
        fix: 'remove user:password@ from the URL, or set the source to URL',
      });
  } else if (r.userInfo !== '') {
    problems.push({
      about: 'userInfo',
      problem: 'is set, but kafka.schema.registry.basic.auth.credentials.source is URL',
      fix: 'set kafka.schema.registry.basic.auth.credentials.source=USER_INFO, or remove it',
    });
  }
  if (r.caLocation !== undefined && url?.protocol !== 'https:')
    problems.push({
      about: 'caLocation',
      problem: 'is set, but kafka.schema.registry.url is not https',
      fix: 'use an https:// registry URL, or remove it',
    });
  return problems;
}
