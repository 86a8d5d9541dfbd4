/**
 * The loaded config: the declared values (sink-keys.ts) plus what follows from them. Its type is inferred
 * from `deriveConfig`, which is inferred from the declaration: there is no hand-written interface to keep
 * in step. Deeply frozen; `redactConfig` gives a copy safe to print.
 */
import type * as z from 'zod';
import type { DeepReadonly, Origins } from './config-loader.ts';
import { declarationOf } from './declare-keys.ts';
import { effectivePkMode } from './pk-mode.ts';
import { effectiveTls } from './mysql-tls.ts';
import { SINK_KEYS, type KeyValues } from './sink-keys.ts';

export function deriveConfig(values: KeyValues, origins: Origins) {
  const { backpressure, mysql, sink } = values;
  const { endpoint } = mysql.url;
  const keys = SINK_KEYS.shape.mysql.shape;
  // An explicitly set mysql.username / mysql.password beats credentials in the URL; the URL's beat defaults.
  const explicit = (schema: z.ZodType): boolean => origins[declarationOf(schema).name] !== 'default';
  return {
    ...values,
    sink: { ...sink, pkMode: effectivePkMode(sink) },
    backpressure: {
      ...backpressure,
      /** Resume consuming when the queue holds at most this many records. */
      resumeAt: Math.floor(backpressure.queueSize * backpressure.lowWatermark),
    },
    mysql: {
      host: endpoint.host,
      port: endpoint.port,
      database: endpoint.database,
      user: explicit(keys.user) ? mysql.user : (endpoint.user ?? mysql.user),
      password: explicit(keys.password) ? mysql.password : (endpoint.password ?? mysql.password),
      poolSize: mysql.poolSize,
      writeProtocol: mysql.writeProtocol,
      /** The effective TLS settings (mysql.ssl.* and the URL's sslMode-style parameters). */
      ssl: effectiveTls(values, explicit(keys.ssl.shape.mode)),
      /** `mysql.url` with credentials masked: for display only. */
      url: mysql.url.display,
    },
    origins,
  };
}

export type SinkConfig = DeepReadonly<ReturnType<typeof deriveConfig>>;
export type InsertMode = SinkConfig['sink']['insertMode'];
export type { PkMode } from './pk-mode.ts';
export type ErrorTolerance = SinkConfig['errors']['tolerance'];
export type LogLevel = SinkConfig['log']['level'];
