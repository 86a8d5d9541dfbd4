import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAvroSchema } from '../../../src/avro/avro-schema.ts';
import {
  decimalBytesToText,
  decimalToUnscaled,
  maxPrecisionForFixed,
  unscaledToBytes,
} from '../../../src/avro/decimal.ts';
import { LONG_TYPE } from '../../../src/avro/long-type.ts';
import { isSinkError } from '../../../src/core/errors.ts';

function roundTrip(schema: unknown, value: unknown): unknown {
  const type = parseAvroSchema(schema as object);
  return type.fromBuffer(type.toBuffer(value));
}

describe('exact long', () => {
  it('decodes safe values as numbers and the rest as bigint', () => {
    const cases: [bigint, 'number' | 'bigint'][] = [
      [0n, 'number'],
      [-1n, 'number'],
      [2n ** 31n, 'number'],
      // 7 varint bytes hold zigzag values under 2^49; from there on the value is read the exact way.
      [2n ** 48n - 1n, 'number'],
      [-(2n ** 48n), 'number'],
      [2n ** 48n, 'number'],
      [-(2n ** 48n) - 1n, 'number'],
      [2n ** 49n + 12345n, 'number'],
      [1_733_011_200_123n, 'number'],
      [2n ** 53n - 1n, 'number'],
      [-(2n ** 53n) + 1n, 'number'],
      [2n ** 53n, 'bigint'],
      [-(2n ** 53n), 'bigint'],
      [2n ** 63n - 1n, 'bigint'],
      [-(2n ** 63n), 'bigint'],
    ];
    for (const [value, kind] of cases) {
      const decoded = roundTrip('long', value);
      assert.equal(typeof decoded, kind, String(value));
      assert.equal(BigInt(decoded as number | bigint), value);
    }
  });

  it('reads every bit length exactly, both signs (in place, without an intermediate buffer)', () => {
    let seed = 12345n;
    for (let bits = 1n; bits <= 63n; bits++) {
      for (let i = 0; i < 20; i++) {
        seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
        const magnitude = (seed & ((1n << bits) - 1n)) | (1n << (bits - 1n));
        for (const value of [magnitude, -magnitude - (i % 2 === 0 ? 0n : 1n)]) {
          if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) continue;
          const decoded = roundTrip('long', value);
          assert.equal(BigInt(decoded as number | bigint), value, String(value));
          assert.equal(typeof decoded, value >= -(2n ** 53n) + 1n && value <= 2n ** 53n - 1n ? 'number' : 'bigint');
        }
      }
    }
  });

  it('refuses a varint longer than 10 bytes', () => {
    const eleven = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x01]);
    assert.throws(() => LONG_TYPE.fromBuffer(eleven), /longer than 10 bytes/);
  });

  it('refuses a long cut short, whichever way it is read', () => {
    for (const value of [300, 2 ** 40, 2n ** 60n]) {
      const wire = LONG_TYPE.toBuffer(value);
      assert.throws(() => LONG_TYPE.fromBuffer(wire.subarray(0, wire.length - 1)), /truncated/);
    }
  });

  it('agrees with avsc’s own long on the wire for safe values', () => {
    const plain = parseAvroSchema('"int"');
    assert.deepEqual(LONG_TYPE.toBuffer(-3), plain.toBuffer(-3));
    assert.equal(
      LONG_TYPE.fromBuffer(Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
      2n ** 63n - 1n,
    );
  });

  it('refuses values outside int64 and fractions', () => {
    assert.throws(() => roundTrip('long', 2n ** 63n));
    assert.throws(() => roundTrip('long', 1.5));
    assert.throws(() => roundTrip('long', 2 ** 53));
  });

  it('is used for long everywhere: named, nested, in unions, under logical types', () => {
    const schema = {
      type: 'record',
      name: 'r',
      fields: [
        { name: 'a', type: { type: 'long' } },
        { name: 'b', type: { type: 'array', items: 'long' } },
        { name: 'c', type: { type: 'map', values: ['null', 'long'] } },
        { name: 'd', type: { type: 'long', logicalType: 'timestamp-micros' } },
      ],
    };
    const big = 2n ** 60n + 1n;
    const out = roundTrip(schema, { a: big, b: [big], c: { k: big }, d: big }) as Record<string, unknown>;
    assert.equal(out['a'], big);
    assert.deepEqual(out['b'], [big]);
    assert.deepEqual({ ...(out['c'] as object) }, { k: big });
    assert.equal(out['d'], '+038504-08-17 21:30:06.846977');
  });
});

describe('temporal text', () => {
  it('encoding refuses malformed text instead of guessing', () => {
    assert.throws(() => roundTrip({ type: 'int', logicalType: 'date' }, '2024-02-30'));
    assert.throws(() => roundTrip({ type: 'long', logicalType: 'timestamp-millis' }, '2024-01-01 00:00:00.0001'));
    assert.throws(() => roundTrip({ type: 'int', logicalType: 'time-millis' }, 'noon'));
  });
});

describe('decimal bytes', () => {
  it('decodes two’s complement of any length', () => {
    assert.equal(decimalBytesToText(Buffer.from([0x30, 0x39]), 2), '123.45');
    assert.equal(decimalBytesToText(Buffer.from([0xcf, 0xc7]), 2), '-123.45');
    assert.equal(decimalBytesToText(Buffer.from([0xff]), 3), '-0.001');
    assert.equal(decimalBytesToText(Buffer.from([0x80]), 0), '-128');
    assert.equal(decimalBytesToText(Buffer.alloc(0), 2), '0.00');
    assert.equal(decimalBytesToText(Buffer.from([0, 0, 0, 0, 0, 0, 0, 5]), 1), '0.5');
    assert.equal(decimalBytesToText(Buffer.from([0x80, 0, 0, 0, 0, 0]), 0), String(-(2n ** 47n)));
    assert.equal(decimalBytesToText(Buffer.from([0x80, 0, 0, 0, 0, 0, 0]), 0), String(-(2n ** 55n)));
  });

  it('round-trips through bytes at every length boundary', () => {
    for (let bits = 1; bits < 130; bits++) {
      for (const n of [
        2n ** BigInt(bits) - 1n,
        -(2n ** BigInt(bits)),
        2n ** BigInt(bits),
        -(2n ** BigInt(bits)) + 1n,
      ]) {
        const bytes = unscaledToBytes(n);
        assert.equal(decimalBytesToText(bytes, 0), n.toString());
        assert.equal(decimalBytesToText(unscaledToBytes(n, bytes.length + 3), 0), n.toString());
      }
    }
  });

  it('parses decimal text exactly and refuses rounding', () => {
    assert.equal(decimalToUnscaled('123.45', 2), 12345n);
    assert.equal(decimalToUnscaled('-.5', 2), -50n);
    assert.equal(decimalToUnscaled('7', 3), 7000n);
    assert.equal(decimalToUnscaled('1.2300', 2), 123n);
    assert.equal(decimalToUnscaled(0.1, 1), 1n);
    assert.equal(decimalToUnscaled(1e-7, 7), 1n);
    assert.throws(() => decimalToUnscaled('1.234', 2), RangeError);
    assert.throws(() => decimalToUnscaled('abc', 2), RangeError);
    assert.throws(() => decimalToUnscaled(Number.NaN, 2), RangeError);
  });

  it('knows how many digits a fixed holds and refuses too many when encoding', () => {
    assert.equal(maxPrecisionForFixed(1), 2);
    assert.equal(maxPrecisionForFixed(8), 18);
    assert.equal(maxPrecisionForFixed(16), 38);
    assert.throws(() => roundTrip({ type: 'bytes', logicalType: 'decimal', precision: 3, scale: 1 }, '100.0'));
    // precision 19 does not fit fixed(8): the logical type is ignored, the field is plain fixed.
    assert.ok(
      Buffer.isBuffer(
        roundTrip({ type: 'fixed', name: 'F', size: 8, logicalType: 'decimal', precision: 19 }, Buffer.alloc(8)),
      ),
    );
  });
});

describe('parseAvroSchema', () => {
  it('accepts JSON text, objects and bare primitive names', () => {
    assert.equal(parseAvroSchema('"string"').typeName, 'string');
    assert.equal(parseAvroSchema('string').typeName, 'string');
    assert.equal(parseAvroSchema({ type: 'int' }).typeName, 'int');
  });

  it('rejects invalid schemas with SCHEMA_INVALID', () => {
    for (const bad of [
      '{"type":"record","name":"r"}',
      '{"type":"nope"}',
      'not a schema',
      '{"type":"record","name":"r","fields":[{"name":"a-b","type":"int"}]}',
    ]) {
      assert.throws(
        () => parseAvroSchema(bad),
        (e: unknown) => isSinkError(e, 'SCHEMA_INVALID'),
        bad,
      );
    }
  });

  it('keeps logical type parameters when exporting the schema', () => {
    const schema = { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 3 };
    assert.deepEqual(parseAvroSchema(schema).schema({ exportAttrs: true }), schema);
  });
});
