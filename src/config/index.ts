/** Public surface of the config module. */
export { parseProperties, parsePropertyEntries, type PropertyEntry } from './properties.ts';
export { parseJdbcUrl, DEFAULT_MYSQL_PORT, type MysqlEndpoint, type UrlContext } from './jdbc-url.ts';
export { groupIdFor, tableNameFor, renderTemplate, templateProblem } from './templates.ts';
export { loadConfig, redactConfig, type LoadConfigOptions } from './load-config.ts';
export { isSecretName, redactUrl, REDACTED } from './secrets.ts';
export { CONFIG_KEYS, type KeyInfo } from './key-table.ts';
export { exampleProperties } from './example-file.ts';
export { envVarFor } from './env-names.ts';
export type { SinkConfig, InsertMode, ErrorTolerance, LogLevel } from './sink-config.ts';
export { effectivePkMode, DEFAULT_KEY_COLUMN, type PkMode } from './pk-mode.ts';
export { SSL_MODES, type SslMode } from './jdbc-params.ts';
export type { MysqlTls } from './mysql-tls.ts';
export type { CdcColumn } from './name-types.ts';
