/** Options of the schema registry client (registry-client.ts), and how the configuration gives them. */
import { readFileSync } from 'node:fs';
import type { SinkConfig } from '../config/index.ts';
import { SinkError } from '../core/errors.ts';
import { fetchTrusting } from './registry-https.ts';

export interface RegistryOptions {
  /**
   * Base URL of the Confluent-compatible API, e.g. `http://127.0.0.1:8081/apis/ccompat/v7` (Apicurio) or
   * `http://host:8081` (Confluent). `user:password@` in the URL becomes HTTP basic auth and is never
   * shown in errors.
   */
  readonly url: string;
  /** Per-request timeout in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** Basic auth, when not given in the URL. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** Extra request headers (e.g. a bearer token). */
  readonly headers?: Readonly<Record<string, string>>;
  /** fetch implementation; default the global fetch, looked up at each request. */
  readonly fetch?: typeof fetch;
}

export const DEFAULT_REGISTRY_TIMEOUT_MS = 10_000;

/**
 * The registry client's options from the configuration: the one place the sink and every tool get the
 * URL, the basic-auth credentials (Confluent's `basic.auth.credentials.source` rules) and the CA.
 */
export function registryOptions(config: SinkConfig, timeoutMs?: number): RegistryOptions {
  const { registry, schemaRegistryUrl } = config.kafka;
  let basicAuth: RegistryOptions['basicAuth'];
  if (registry.credentialsSource === 'user_info') {
    const colon = registry.userInfo.indexOf(':');
    basicAuth = { username: registry.userInfo.slice(0, colon), password: registry.userInfo.slice(colon + 1) };
  }
  let ca: string | undefined;
  if (registry.caLocation !== undefined) {
    try {
      ca = readFileSync(registry.caLocation, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new SinkError(
        'CONFIG_INVALID',
        `config key kafka.schema.registry.ssl.ca.location = ${JSON.stringify(registry.caLocation)} cannot be read (${code}); set the path of a PEM file`,
      );
    }
  }
  return {
    url: schemaRegistryUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(basicAuth === undefined ? {} : { basicAuth }),
    ...(ca === undefined ? {} : { fetch: fetchTrusting(ca) }),
  };
}
