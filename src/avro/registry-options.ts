/** Options of the schema registry client (registry-client.ts). */

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
