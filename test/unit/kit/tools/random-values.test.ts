import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../../../src/avro/avro-schema.ts';
import { buildColumnModel } from '../../../../src/mysql/column-model.ts';
import { decodeWireHeader } from '../../../../src/avro/wire-format.ts';
import { RandomValues, decimalText, uuidText } from '../../../../kit/tools/random-values.ts';
import { RecordFactory } from '../../../../kit/tools/record-factory.ts';
import { SEED_SCHEMAS } from '../../../fixtures/seed-schemas.ts';

/** Small deterministic PRNG (mulberry32) for reproducible test data. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function record(fields: unknown[]): object {
  return { type: 'record', name: 'r', namespace: 'test', fields };
}

/**
 * Draws many values of `type` as field `f`: each must be valid for the sink's Type, survive an Avro
 * round trip, and convert to a row without the column model rejecting it (no accidental dead letters).
 */
function drawMany(
  type: unknown,
  count = 300,
  options: { stringType?: string; maxStringChars?: number } = {},
): unknown[] {
  const avroType = parseAvroSchema(record([{ name: 'f', type }]));
  const model = buildColumnModel(avroType, options.stringType === undefined ? {} : { stringType: options.stringType });
  const random = new RandomValues({
    random: seededRandom(7),
    ...(options.maxStringChars === undefined ? {} : { maxStringChars: options.maxStringChars }),
  });
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const value = { f: random.value((avroType as unknown as { fields: { type: never }[] }).fields[0]!.type, 1) };
    assert.ok(avroType.isValid(value), `invalid for ${JSON.stringify(type)}: ${String(value.f)}`);
    const decoded = avroType.fromBuffer(avroType.toBuffer(value)) as Record<string, unknown>;
    model.toRow(decoded);
    out.push(decoded.f);
  }
  return out;
}

describe('random values per Avro type', () => {
  it('primitives stay inside their Avro and column ranges', () => {
    for (const v of drawMany('int'))
      assert.ok(Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31);
    for (const v of drawMany('long')) assert.ok(Number.isSafeInteger(v));
    for (const v of drawMany('float')) assert.ok(Number.isFinite(v));
    for (const v of drawMany('double')) assert.ok(Number.isFinite(v));
    const booleans = drawMany('boolean');
    assert.ok(booleans.includes(true) && booleans.includes(false));
    for (const v of drawMany('bytes')) assert.ok(Buffer.isBuffer(v) && v.length <= 16);
    assert.deepEqual(drawMany('null', 3), [null, null, null]);
  });

  it('strings fit the configured VARCHAR / CHAR length', () => {
    for (const v of drawMany('string', 300, { stringType: 'VARCHAR(5)', maxStringChars: 5 })) {
      assert.ok(typeof v === 'string' && v.length >= 1 && v.length <= 5, String(v));
    }
    const lengths = new Set(drawMany('string').map((v) => (v as string).length));
    assert.ok(lengths.size > 5, 'string lengths vary');
  });

  it('named types: enum symbols, fixed sizes, nested records', () => {
    const symbols = new Set(drawMany({ type: 'enum', name: 'E', symbols: ['A', 'B', 'C'] }));
    assert.deepEqual([...symbols].sort(), ['A', 'B', 'C']);
    for (const v of drawMany({ type: 'fixed', name: 'F', size: 7 })) assert.equal((v as Buffer).length, 7);
    for (const v of drawMany({
      type: 'record',
      name: 'Inner',
      fields: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string' },
      ],
    })) {
      assert.equal(typeof (v as { a: unknown }).a, 'number');
      assert.equal(typeof (v as { b: unknown }).b, 'string');
    }
  });

  it('arrays and maps: short, and empty past the depth limit of recursive types', () => {
    for (const v of drawMany({ type: 'array', items: 'long' })) assert.ok(Array.isArray(v) && v.length <= 3);
    for (const v of drawMany({ type: 'map', values: 'string' })) assert.ok(Object.keys(v as object).length <= 3);
    const list = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'value', type: 'int' },
        { name: 'next', type: ['null', 'Node'] },
      ],
    };
    const depth = (node: unknown): number => (node === null ? 0 : 1 + depth((node as { next: unknown }).next));
    for (const v of drawMany(list, 100)) assert.ok(depth(v) <= 4);
  });

  it('unions: nullable unions give values and nulls; wrapped and ambiguous unions still encode', () => {
    const nullable = drawMany(['null', 'string']);
    assert.ok(nullable.includes(null) && nullable.some((v) => typeof v === 'string'));
    drawMany(['null', 'int', 'string', { type: 'record', name: 'X', fields: [{ name: 'a', type: 'int' }] }]);
    // int and a timestamp-millis long share the number form: only unambiguous values may be drawn.
    drawMany(['null', 'int', { type: 'long', logicalType: 'timestamp-millis' }]);
  });

  it('logical types decode to the text forms the sink writes, inside MySQL ranges', () => {
    for (const v of drawMany({ type: 'bytes', logicalType: 'decimal', precision: 10, scale: 3 })) {
      assert.match(v as string, /^-?\d{1,7}\.\d{3}$/);
    }
    for (const v of drawMany({ type: 'fixed', name: 'D', size: 8, logicalType: 'decimal', precision: 18, scale: 0 })) {
      assert.match(v as string, /^-?\d{1,15}$/);
    }
    for (const v of drawMany({ type: 'int', logicalType: 'date' })) {
      assert.match(v as string, /^(19[7-9]\d|20[0-4]\d)-\d\d-\d\d$/);
    }
    for (const v of drawMany({ type: 'int', logicalType: 'time-millis' }))
      assert.match(v as string, /^\d\d:\d\d:\d\d\.\d{3}$/);
    for (const v of drawMany({ type: 'long', logicalType: 'time-micros' }))
      assert.match(v as string, /^\d\d:\d\d:\d\d\.\d{6}$/);
    for (const v of drawMany({ type: 'long', logicalType: 'timestamp-millis' }))
      assert.match(v as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    for (const v of drawMany({ type: 'long', logicalType: 'timestamp-micros' }))
      assert.match(v as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    const uuids = drawMany({ type: 'string', logicalType: 'uuid' });
    for (const v of uuids)
      assert.match(v as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(uuids).size, uuids.length);
    drawMany({ type: 'fixed', name: 'U', size: 16, logicalType: 'uuid' });
  });

  it('decimal text respects precision and scale, including scale == precision', () => {
    const random = new RandomValues({ random: seededRandom(3) });
    for (let i = 0; i < 200; i++) {
      const text = decimalText(random, 4, 4);
      assert.match(text, /^-?0\.\d{4}$/);
      assert.ok(text.replace(/[-.]/g, '').replace(/^0+/, '').length <= 4);
    }
    assert.match(uuidText(random), /^[0-9a-f-]{36}$/);
  });

  it('is reproducible with a seeded source', () => {
    const type = parseAvroSchema(
      record([
        { name: 'a', type: 'string' },
        { name: 'b', type: 'double' },
      ]),
    );
    const a = new RandomValues({ random: seededRandom(42), now: () => 0 }).value(type);
    const b = new RandomValues({ random: seededRandom(42), now: () => 0 }).value(type);
    assert.deepEqual(a, b);
  });
});

describe('record factory', () => {
  const type = parseAvroSchema(SEED_SCHEMAS['dataset1']!);
  const keyType = parseAvroSchema('"string"');

  function factory(extra: { maxStringChars?: number } = {}): RecordFactory {
    return new RecordFactory({
      topic: 'orders',
      type,
      valueSchemaId: 77,
      keySchemaId: 5,
      runId: 'run1',
      random: seededRandom(1),
      now: () => 1_700_000_000_000,
      ...extra,
    });
  }

  it('encodes key and value in Confluent wire format with the registered ids', () => {
    const { key, value } = factory().next(12);
    const k = decodeWireHeader(Buffer.from(key));
    const v = decodeWireHeader(Buffer.from(value));
    assert.equal(k.schemaId, 5);
    assert.equal(v.schemaId, 77);
    assert.equal(keyType.fromBuffer(k.payload), 'orders-run1-12');
    const record = type.fromBuffer(v.payload) as Record<string, unknown>;
    assert.equal(record.key_field1, 'orders-run1-12');
    assert.equal(record.timestamp_field1, 1_700_000_000_000);
    assert.match(record.string_field1 as string, /^seq=12 [A-Za-z0-9]{8,24}$/);
    assert.equal(typeof record.double_field1, 'number');
  });

  it('keeps the unique tail of a key longer than the string column', () => {
    const { key } = factory({ maxStringChars: 8 }).next(123456);
    assert.equal(keyType.fromBuffer(decodeWireHeader(Buffer.from(key)).payload), '1-123456');
  });

  it('encodes multi-byte keys with the UTF-8 byte length', () => {
    const f = new RecordFactory({
      topic: 'zäh',
      type,
      valueSchemaId: 1,
      keySchemaId: 2,
      runId: 'ü',
      random: seededRandom(1),
    });
    const { key } = f.next(1);
    assert.equal(keyType.fromBuffer(decodeWireHeader(Buffer.from(key)).payload), 'zäh-ü-1');
  });

  it('grows its buffer for a record larger than the scratch space', () => {
    const big = parseAvroSchema(
      record([
        { name: 'k', type: 'string' },
        { name: 'blob', type: { type: 'fixed', name: 'Big', size: 100_000 } },
      ]),
    );
    const f = new RecordFactory({
      topic: 't',
      type: big,
      valueSchemaId: 1,
      keySchemaId: 2,
      runId: 'r',
      random: seededRandom(1),
    });
    const { value } = f.next(0);
    const decoded = big.fromBuffer(decodeWireHeader(Buffer.from(value)).payload) as { blob: Buffer };
    assert.equal(decoded.blob.length, 100_000);
  });

  it('uses the sequence number as key for an int or long first field', () => {
    const numeric = parseAvroSchema(
      record([
        { name: 'id', type: 'long' },
        { name: 'note', type: 'string' },
      ]),
    );
    const f = new RecordFactory({
      topic: 't',
      type: numeric,
      valueSchemaId: 1,
      keySchemaId: 2,
      runId: 'r',
      random: seededRandom(1),
    });
    const { key, value } = f.next(41);
    assert.equal(keyType.fromBuffer(decodeWireHeader(Buffer.from(key)).payload), '41');
    assert.equal((numeric.fromBuffer(decodeWireHeader(Buffer.from(value)).payload) as { id: number }).id, 41);
  });
});
