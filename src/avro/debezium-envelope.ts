/**
 * Debezium's change-event envelope (`sink.cdc.format=debezium`): a value record with `before`, `after`,
 * `op`, `source` and `ts_ms`. The table holds the row (`after`'s record), so the envelope is unwrapped
 * here: `c` (create), `r` (snapshot read) and `u` (update) put `after`; `d` (delete) removes the row its
 * record key names. Optional change columns (`sink.cdc.columns`) are appended to the row: `__op`,
 * `__source_ts_ms` (when the source database made the change), `__ts_ms` (when Debezium saw it), named as
 * Debezium's own ExtractNewRecordState names them.
 *
 * A schema that is not an envelope poisons every record written with it (SCHEMA_UNSUPPORTED); an
 * envelope that cannot be applied (no op, an unknown op, a create without `after`) poisons its record
 * (VALUE_REJECTED), each with the reason.
 */
import type avro from 'avsc';
import type { Type } from 'avsc';
import type { CdcColumn } from '../config/index.ts';
import { SinkError } from '../core/errors.ts';
import { parseAvroSchema } from './avro-schema.ts';
import { formatTimestampMillis } from './temporal.ts';

const COLUMN_FIELDS: Readonly<Record<CdcColumn, { readonly name: string; readonly type: unknown }>> = {
  // A source-type hint makes the column CHAR(1) (connect-columns.ts), like the op itself.
  op: {
    name: '__op',
    type: {
      type: 'string',
      'connect.parameters': { '__debezium.source.column.type': 'CHAR', '__debezium.source.column.length': '1' },
    },
  },
  'source.ts_ms': { name: '__source_ts_ms', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }] },
  ts_ms: { name: '__ts_ms', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }] },
};

export type Change =
  | { readonly kind: 'upsert'; readonly op: string; readonly row: Record<string, unknown> }
  | { readonly kind: 'delete'; readonly op: string };

export interface Envelope {
  /** The row's record type: `after`'s fields, then the change columns asked for. */
  readonly rowType: Type;
  unwrap(value: unknown): Change;
}

function notEnvelope(why: string): SinkError {
  return new SinkError(
    'SCHEMA_UNSUPPORTED',
    `sink.cdc.format=debezium, but the value schema is not a Debezium change event: ${why}`,
  );
}

function rejected(why: string): SinkError {
  return new SinkError('VALUE_REJECTED', `Debezium change event ${why}`);
}

function recordOf(type: Type | undefined): avro.types.RecordType | undefined {
  if (type === undefined) return undefined;
  if (type.typeName === 'record') return type as avro.types.RecordType;
  if (type.typeName.startsWith('union:')) {
    const branches = (type as avro.types.UnwrappedUnionType).types;
    const records = branches.filter((t) => t.typeName === 'record');
    if (records.length === 1 && branches.every((t) => t.typeName === 'null' || t.typeName === 'record')) {
      return records[0] as avro.types.RecordType;
    }
  }
  return undefined;
}

function millis(value: unknown): string | null {
  if (typeof value !== 'number' && typeof value !== 'bigint') return null;
  const text = formatTimestampMillis(value);
  return text.length === 23 ? text : null;
}

export function envelopeOf(type: Type, columns: readonly CdcColumn[]): Envelope {
  if (type.typeName !== 'record') throw notEnvelope(`it is ${type.typeName}, not a record`);
  const fields = (type as avro.types.RecordType).fields;
  const field = (name: string): avro.types.Field | undefined => fields.find((f) => f.name === name);
  if (field('op') === undefined) throw notEnvelope('it has no op field');
  const after = recordOf(field('after')?.type);
  if (after === undefined) throw notEnvelope('it has no after field holding a record');
  const row = after.schema({ exportAttrs: true }) as unknown as { fields: unknown[] };
  const rowType = parseAvroSchema({
    ...row,
    fields: [...row.fields, ...columns.map((c) => ({ ...COLUMN_FIELDS[c] }))],
  });
  const wanted = columns.map((c) => [COLUMN_FIELDS[c].name, c] as const);

  return Object.freeze({
    rowType,
    unwrap(value: unknown): Change {
      const event = value as Record<string, unknown>;
      const op = event['op'];
      if (typeof op !== 'string' || op === '') throw rejected('without op');
      if (op === 'd') return { kind: 'delete', op };
      if (op !== 'c' && op !== 'r' && op !== 'u') {
        throw rejected(`with op ${JSON.stringify(op)}: only c, r, u and d are applied`);
      }
      const image = event['after'];
      if (image === null || image === undefined) throw rejected(`with op ${op} but no after`);
      const out: Record<string, unknown> = { ...(image as Record<string, unknown>) };
      for (const [name, column] of wanted) {
        if (column === 'op') out[name] = op;
        else if (column === 'ts_ms') out[name] = millis(event['ts_ms']);
        else out[name] = millis((event['source'] as Record<string, unknown> | null)?.['ts_ms']);
      }
      return { kind: 'upsert', op, row: out };
    },
  });
}
