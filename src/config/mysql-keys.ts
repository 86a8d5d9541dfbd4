/** The `mysql.*` keys: the database address, the account, the pool, the write protocol and TLS. */
import * as z from 'zod';
import { mysqlUrl } from './address-types.ts';
import { key } from './declare-keys.ts';
import { SSL_MODES } from './jdbc-params.ts';
import { anyText, oneOf, optionalFile, text, wholeNumber } from './value-types.ts';
import { BATCHING, SEED_MYSQL, MYSQL_TLS } from './key-sections.ts';

export const mysql = z.object({
  url: key('mysql.url', mysqlUrl, {
    section: SEED_MYSQL,
    default: 'jdbc:mysql://127.0.0.1:3307/bank',
    doc: 'database URL: jdbc:mysql://host:port/db, jdbc:mariadb://..., or mysql://user:pass@host:port/db',
  }),
  user: key('mysql.username', text, {
    section: SEED_MYSQL,
    default: 'consumer',
    doc: 'database user (wins over a user in mysql.url unless left at its default)',
  }),
  password: key('mysql.password', anyText, {
    section: SEED_MYSQL,
    default: 'consumer1!',
    doc: 'database password; never logged (prefer the env var KMS_MYSQL_PASSWORD)',
    secret: true,
  }),
  poolSize: key('mysql.maxPoolSize', wholeNumber(1, 1000), {
    section: SEED_MYSQL,
    default: '10',
    doc: 'most database connections',
  }),
  writeProtocol: key('mysql.write.protocol', oneOf(['text', 'bulk']), {
    section: BATCHING,
    default: 'text',
    doc: 'text = multi-row INSERT; bulk = MariaDB bulk prepared statements (insert/upsert/ignore; text on MySQL)',
  }),
  ssl: z.object({
    /** At its default, `sslMode` in mysql.url, or verify_ca when mysql.ssl.ca is set, decide instead. */
    mode: key('mysql.ssl.mode', oneOf(SSL_MODES), {
      section: MYSQL_TLS,
      default: 'preferred',
      doc: "TLS to the database, MySQL's modes: disabled | preferred (TLS when offered) | required | verify_ca | verify_identity",
    }),
    ca: key('mysql.ssl.ca', optionalFile, {
      section: MYSQL_TLS,
      default: '',
      doc: "PEM file of the CA(s) the server's certificate must chain to (with it the mode defaults to verify_ca)",
    }),
    cert: key('mysql.ssl.cert', optionalFile, {
      section: MYSQL_TLS,
      default: '',
      doc: 'PEM file of the client certificate, for users created REQUIRE X509 (with mysql.ssl.key)',
    }),
    key: key('mysql.ssl.key', optionalFile, {
      section: MYSQL_TLS,
      default: '',
      doc: "PEM file of the client certificate's private key",
    }),
  }),
});
