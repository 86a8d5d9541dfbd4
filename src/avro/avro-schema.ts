/**
 * The one place Avro schemas become avsc Types, so every schema in the sink decodes the same way:
 * exact longs (long-type.ts) and the sink's logical types (logical-types.ts).
 */
import avro from 'avsc';
import type { Type } from 'avsc';
import { SinkError, describeError } from '../core/errors.ts';
import { LONG_TYPE } from './long-type.ts';
import { STRING_TYPE } from './string-type.ts';
import { LOGICAL_TYPES, isUnderlyingOfLogical } from './logical-types.ts';
import { CONNECT_LOGICAL_TYPE, ConnectType, hasConnectAnnotation } from './connect-types.ts';

/** Logical types that annotate long; any other logicalType on a long is ignored (plain exact long). */
const LONG_LOGICAL = new Set(['time-micros', 'timestamp-millis', 'timestamp-micros', CONNECT_LOGICAL_TYPE]);

function typeHook(schema: unknown, opts: unknown): Type | undefined {
  if (schema === 'long') return LONG_TYPE;
  if (schema === 'string') return STRING_TYPE;
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) {
    const s = schema as Record<string, unknown>;
    // Connect's attributes would be dropped by avsc: keep them in a ConnectType (connect-types.ts).
    if (hasConnectAnnotation(s)) {
      return avro.Type.forSchema(
        { ...s, logicalType: CONNECT_LOGICAL_TYPE } as avro.Schema,
        opts as avro.ForSchemaOptions,
      );
    }
    if (s['type'] === 'string') {
      // A logical type over string (uuid, Connect's) is built by avsc; its underlying string is ours.
      const name = s['logicalType'] as string;
      const logical = Object.hasOwn(LOGICAL_TYPES, name) || name === CONNECT_LOGICAL_TYPE;
      return logical && !isUnderlyingOfLogical(schema) ? undefined : STRING_TYPE;
    }
    if (s['type'] !== 'long') return undefined;
    // Let avsc build the logical type (outer call); the inner call for its underlying type gets ours.
    if (LONG_LOGICAL.has(s['logicalType'] as string) && !isUnderlyingOfLogical(schema)) return undefined;
    return LONG_TYPE;
  }
  return undefined;
}

/**
 * Parses an Avro schema (JSON text or object) into an avsc Type. Throws SinkError SCHEMA_INVALID for
 * anything that is not a valid Avro schema.
 */
export function parseAvroSchema(schema: string | object): Type {
  let json: unknown = schema;
  if (typeof schema === 'string') {
    try {
      json = JSON.parse(schema);
    } catch {
      // A bare name such as `string` (unquoted) is not valid JSON but is still a schema reference.
      json = schema;
    }
  }
  try {
    return avro.Type.forSchema(json as avro.Schema, {
      // Fresh registry per schema: avsc stores named types in it.
      registry: {},
      logicalTypes: { ...LOGICAL_TYPES, [CONNECT_LOGICAL_TYPE]: ConnectType } as unknown as Record<
        string,
        new (
          schema: avro.Schema,
          opts?: unknown,
        ) => avro.types.LogicalType
      >,
      typeHook,
      wrapUnions: 'auto',
    });
  } catch (error) {
    throw new SinkError('SCHEMA_INVALID', `invalid Avro schema: ${describeError(error)}`, { cause: error });
  }
}
