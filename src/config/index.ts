/** Public surface of the config module. */
export { loadConfig, type LoadConfigOptions } from './load-config.ts';
export { parseProperties, parsePropertyEntries, type PropertyEntry } from './properties.ts';
export { parseJdbcUrl, DEFAULT_MYSQL_PORT, type MysqlEndpoint, type UrlContext } from './jdbc-url.ts';
export { groupIdFor, tableNameFor, renderTemplate, templateProblem } from './templates.ts';
export { redactConfig, isSecretName, REDACTED } from './redact.ts';
export { redactUrl } from './messages.ts';
export {
  CONFIG_KEYS,
  KEY_SPECS,
  CONSUMER_PASSTHROUGH_PREFIX,
  envVarFor,
  type KeySpec,
  type SinkConfig,
  type InsertMode,
  type ErrorTolerance,
  type LogLevel,
} from './schema.ts';
