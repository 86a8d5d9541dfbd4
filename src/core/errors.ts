/**
 * Every error the product raises on purpose carries a stable code and says whether retrying the same
 * operation can succeed. Callers branch on `code` / `retriable`, never on message text.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'IDENTIFIER_INVALID'
  | 'SCHEMA_INVALID'
  | 'SCHEMA_UNSUPPORTED'
  | 'WIRE_FORMAT'
  | 'SCHEMA_NOT_FOUND'
  | 'REGISTRY_UNAVAILABLE'
  | 'DECODE_FAILED'
  | 'INVALID_UTF8'
  | 'SCHEMA_SUBJECT_MISMATCH'
  | 'VALUE_REJECTED'
  | 'KEY_REJECTED'
  | 'DB_FATAL'
  | 'KAFKA_UNAVAILABLE'
  | 'KAFKA_FETCH_INVALID'
  | 'STACK_FAILED'
  | 'USAGE';

export interface SinkErrorOptions {
  retriable?: boolean;
  cause?: unknown;
}

export class SinkError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: SinkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SinkError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export function isSinkError(error: unknown, code?: ErrorCode): error is SinkError {
  return error instanceof SinkError && (code === undefined || error.code === code);
}

/** Short text for any thrown value, for one-line operator messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  // Native clients reject with plain objects ({ message, code } from librdkafka), not Errors.
  if (typeof error === 'object' && error !== null) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (code !== undefined) return `error code ${String(code)}`;
    try {
      return JSON.stringify(error).slice(0, 200);
    } catch {
      // circular: fall through
    }
  }
  return String(error);
}
