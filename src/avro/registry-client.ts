/**
 * Confluent-compatible schema registry client (Apicurio `/apis/ccompat/v7`, Confluent, Redpanda…) over
 * global fetch. Schemas by id are immutable, so they are cached forever and concurrent lookups of one id
 * share one request; a failed lookup is not cached, so the next call retries.
 *
 * Error mapping (callers branch on code / retriable):
 * - unknown id / subject / version (404 with error_code 40401-40403) → SCHEMA_NOT_FOUND, not retriable;
 * - refused connection, timeout, 5xx, 408, 429, or an answer that is not a registry's (e.g. a 404 with
 *   no registry error code: wrong base URL) → REGISTRY_UNAVAILABLE, retriable: never a reason to drop a
 *   record;
 * - 401/403 → REGISTRY_UNAVAILABLE, not retriable (credentials are wrong until the config changes);
 * - 409/422 on register, unparsable schema text → SCHEMA_INVALID; non-Avro schema → SCHEMA_UNSUPPORTED.
 */
import type { Type } from 'avsc';
import { SinkError, describeError } from '../core/errors.ts';
import { parseAvroSchema } from './avro-schema.ts';
import { SchemaCache } from './schema-cache.ts';
import { tlsRefusal } from './registry-https.ts';
import { DEFAULT_REGISTRY_TIMEOUT_MS, type RegistryOptions } from './registry-options.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const NOT_FOUND_CODES = new Set([40401, 40402, 40403]);

export interface LatestSchema {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  /** Schema JSON text as stored in the registry. */
  readonly schema: string;
  readonly type: Type;
}

interface RegistryAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Key-sorted JSON, so the same schema written with another key order hits the register cache. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  // undici: TypeError('fetch failed') whose cause carries the socket error code (ECONNREFUSED…).
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string')
    return `${cause.code}${typeof cause.message === 'string' && cause.message ? ` (${cause.message})` : ''}`;
  // fetch refuses some ports outright (1, 6000, 10080…: the Fetch standard's "bad ports").
  if (cause && cause.message === 'bad port') return 'bad port: fetch refuses to connect to this port number';
  if (cause && typeof cause.message === 'string' && cause.message) return cause.message;
  return describeError(error);
}

export class RegistryClient {
  /** Base URL without credentials: safe to log. */
  readonly url: string;
  readonly #base: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch | undefined;
  /** Writer schemas by id, fetched from this registry: what the decoder reads. */
  readonly schemas = new SchemaCache((id) => this.#fetchSchema(id));
  readonly #registered = new Map<string, Promise<number>>();

  constructor(options: RegistryOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new SinkError(
        'CONFIG_INVALID',
        `schema registry URL is not a URL: ${JSON.stringify(options.url.replace(/\/\/[^/@]*@/, '//'))}`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new SinkError('CONFIG_INVALID', `schema registry URL must be http:// or https://, got ${parsed.protocol}`);
    }
    const headers: Record<string, string> = { Accept: `${CONTENT_TYPE}, application/json` };
    const username = parsed.username ? decodeURIComponent(parsed.username) : options.basicAuth?.username;
    const password = parsed.password ? decodeURIComponent(parsed.password) : options.basicAuth?.password;
    if (username !== undefined) {
      headers['Authorization'] = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
    }
    Object.assign(headers, options.headers);
    parsed.username = '';
    parsed.password = '';
    this.#base = parsed.href.replace(/\/+$/, '');
    this.url = this.#base;
    this.#headers = headers;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
    this.#fetch = options.fetch;
  }

  /**
   * Start-up check that the registry answers `GET /subjects`, with this client's credentials and headers.
   * Unreachable or 5xx: retriable (wait for it); any other refusal: not (a wrong URL or credentials).
   */
  async probe(timeoutMs = 5_000): Promise<void> {
    const fetchImpl = this.#fetch ?? globalThis.fetch;
    const response = await fetchImpl(`${this.#base}/subjects`, {
      headers: this.#headers,
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((error: unknown) => {
      throw (
        this.#tlsRefused(error) ??
        new SinkError('REGISTRY_UNAVAILABLE', networkReason(error, timeoutMs), { retriable: true })
      );
    });
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403)
      throw new SinkError(
        'CONFIG_INVALID',
        `schema registry ${this.url} refused the credentials (HTTP ${response.status}); check kafka.schema.registry.basic.auth.user.info (or the user-info of kafka.schema.registry.url)`,
      );
    if (!response.ok)
      throw new SinkError('REGISTRY_UNAVAILABLE', `HTTP ${response.status}`, { retriable: response.status >= 500 });
  }

  /** Registers (or finds) `schema` under `subject`; returns its id. Cached per subject + schema. */
  register(subject: string, schema: object | string): Promise<number> {
    let schemaObject: unknown = schema;
    if (typeof schema === 'string') {
      try {
        schemaObject = JSON.parse(schema);
      } catch (error) {
        return Promise.reject(
          new SinkError(
            'SCHEMA_INVALID',
            `schema for subject ${JSON.stringify(subject)} is not JSON: ${describeError(error)}`,
          ),
        );
      }
    }
    const key = `${subject}\n${canonicalJson(schemaObject)}`;
    let pending = this.#registered.get(key);
    if (pending === undefined) {
      pending = this.#register(subject, JSON.stringify(schemaObject));
      this.#registered.set(key, pending);
      pending.catch(() => {
        if (this.#registered.get(key) === pending) this.#registered.delete(key);
      });
    }
    return pending;
  }

  /** Latest version of `subject` (not cached: it changes). */
  async getLatest(subject: string): Promise<LatestSchema> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions/latest`;
    const body = await this.#request('GET', path, undefined, `subject ${JSON.stringify(subject)}`);
    const obj = body as { id?: unknown; version?: unknown; schema?: unknown; schemaType?: unknown };
    if (typeof obj.id !== 'number' || typeof obj.version !== 'number' || typeof obj.schema !== 'string') {
      throw this.#notARegistry('GET', path, 'answer has no id / version / schema');
    }
    this.#checkAvro(obj.schemaType, `subject ${JSON.stringify(subject)}`);
    const type =
      this.schemas.known(obj.id) ?? this.#parse(obj.schema, `schema ${obj.id} of subject ${JSON.stringify(subject)}`);
    return { subject, id: obj.id, version: obj.version, schema: obj.schema, type };
  }

  /**
   * The subjects schema `id` is registered under (`GET /schemas/ids/{id}/versions`; Confluent, Apicurio
   * and Redpanda answer it). Not cached: a schema can be registered under another subject at any time.
   */
  async subjectsOf(id: number): Promise<string[]> {
    const path = `/schemas/ids/${id}/versions`;
    const body = await this.#request('GET', path, undefined, `schema id ${id}`);
    if (!Array.isArray(body)) throw this.#notARegistry('GET', path, 'answer is not a list of subject versions');
    return body.flatMap((entry: { subject?: unknown }) => (typeof entry.subject === 'string' ? [entry.subject] : []));
  }

  async #fetchSchema(id: number): Promise<Type> {
    if (!Number.isInteger(id) || id < 0) {
      throw new SinkError('SCHEMA_NOT_FOUND', `schema id ${id} is not a valid registry id`);
    }
    const path = `/schemas/ids/${id}`;
    const body = await this.#request('GET', path, undefined, `schema id ${id}`);
    const obj = body as { schema?: unknown; schemaType?: unknown; references?: unknown };
    if (typeof obj.schema !== 'string') throw this.#notARegistry('GET', path, 'answer has no "schema" text');
    this.#checkAvro(obj.schemaType, `schema id ${id}`);
    if (Array.isArray(obj.references) && obj.references.length > 0) {
      throw new SinkError(
        'SCHEMA_UNSUPPORTED',
        `schema id ${id} uses schema references, which the sink does not resolve`,
      );
    }
    return this.#parse(obj.schema, `schema id ${id}`);
  }

  async #register(subject: string, schemaText: string): Promise<number> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const body = await this.#request(
      'POST',
      path,
      JSON.stringify({ schema: schemaText }),
      `subject ${JSON.stringify(subject)}`,
    );
    const id = (body as { id?: unknown }).id;
    if (typeof id !== 'number') throw this.#notARegistry('POST', path, 'answer has no numeric "id"');
    return id;
  }

  #parse(text: string, what: string): Type {
    try {
      return parseAvroSchema(text);
    } catch (error) {
      throw new SinkError('SCHEMA_INVALID', `${what} from ${this.url}: ${describeError(error)}`, { cause: error });
    }
  }

  #checkAvro(schemaType: unknown, what: string): void {
    if (schemaType !== undefined && schemaType !== null && schemaType !== 'AVRO') {
      throw new SinkError('SCHEMA_UNSUPPORTED', `${what} is a ${String(schemaType)} schema; the sink reads Avro only`);
    }
  }

  /** A certificate the client does not trust is a configuration problem: waiting will not fix it. */
  #tlsRefused(error: unknown): SinkError | undefined {
    const reason = tlsRefusal(error);
    if (reason === undefined) return undefined;
    return new SinkError(
      'CONFIG_INVALID',
      `schema registry ${this.url}: TLS certificate not accepted: ${reason}; set kafka.schema.registry.ssl.ca.location to the CA that signed it`,
      { cause: error },
    );
  }

  #notARegistry(method: string, path: string, detail: string): SinkError {
    return new SinkError(
      'REGISTRY_UNAVAILABLE',
      `${method} ${this.#base}${path} did not answer like a schema registry (${detail}); ` +
        'check the registry URL (Apicurio: …/apis/ccompat/v7)',
      { retriable: true },
    );
  }

  async #request(method: 'GET' | 'POST', path: string, body: string | undefined, what: string): Promise<unknown> {
    const url = this.#base + path;
    const headers = body === undefined ? this.#headers : { ...this.#headers, 'Content-Type': CONTENT_TYPE };
    const fetchImpl = this.#fetch ?? globalThis.fetch;
    let answer: RegistryAnswer;
    try {
      const response = await fetchImpl(url, { method, headers, body, signal: AbortSignal.timeout(this.#timeoutMs) });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Not JSON: judged below by status.
      }
      answer = { status: response.status, body: parsed };
    } catch (error) {
      const refused = this.#tlsRefused(error);
      if (refused) throw refused;
      throw new SinkError(
        'REGISTRY_UNAVAILABLE',
        `schema registry unreachable: ${method} ${url}: ${networkReason(error, this.#timeoutMs)}`,
        { retriable: true, cause: error },
      );
    }
    const { status } = answer;
    if (status >= 200 && status < 300) {
      if (answer.body === null || typeof answer.body !== 'object')
        throw this.#notARegistry(method, path, `status ${status} without a JSON object`);
      return answer.body;
    }
    const errorBody = (answer.body ?? {}) as { error_code?: unknown; message?: unknown };
    const code = typeof errorBody.error_code === 'number' ? errorBody.error_code : undefined;
    const codeText = code === undefined ? '' : ` error_code ${code}`;
    const messageText = typeof errorBody.message === 'string' ? `: ${errorBody.message}` : '';
    const detail = `${status}${codeText}${messageText}`;
    if (code !== undefined && NOT_FOUND_CODES.has(code)) {
      throw new SinkError('SCHEMA_NOT_FOUND', `${what} not found in schema registry ${this.url} (${detail})`);
    }
    if (status === 404) throw this.#notARegistry(method, path, `status ${detail}`);
    if (status === 409 || status === 422) {
      throw new SinkError('SCHEMA_INVALID', `schema registry ${this.url} rejected ${what} (${detail})`);
    }
    if (status === 401 || status === 403) {
      throw new SinkError('REGISTRY_UNAVAILABLE', `schema registry ${url} refused the credentials (${detail})`);
    }
    const retriable = status >= 500 || status === 408 || status === 429;
    throw new SinkError('REGISTRY_UNAVAILABLE', `schema registry ${method} ${url} failed (${detail})`, { retriable });
  }
}
