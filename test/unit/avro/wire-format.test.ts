import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSinkError } from '../../../src/core/errors.ts';
import { decodeWireHeader } from '../../../src/avro/wire-format.ts';
import { encodeWire } from '../../fixtures/wire-format.ts';

function wireError(buf: Buffer | null | undefined): string {
  try {
    decodeWireHeader(buf);
  } catch (error) {
    assert.ok(isSinkError(error, 'WIRE_FORMAT'), `expected WIRE_FORMAT, got ${String(error)}`);
    assert.equal(error.retriable, false);
    return error.message;
  }
  assert.fail('expected decodeWireHeader to throw');
}

describe('Confluent wire format', () => {
  it('encodes magic 0, big-endian schema id, payload', () => {
    const out = encodeWire(0x01020304, Buffer.from([0xaa, 0xbb]));
    assert.deepEqual([...out], [0, 1, 2, 3, 4, 0xaa, 0xbb]);
  });

  it('round-trips ids up to 2^32-1 and empty payloads', () => {
    for (const id of [0, 1, 255, 65536, 2 ** 31, 2 ** 32 - 1]) {
      const { schemaId, payload } = decodeWireHeader(encodeWire(id, Buffer.from('xyz')));
      assert.equal(schemaId, id);
      assert.equal(payload.toString(), 'xyz');
    }
    assert.equal(decodeWireHeader(encodeWire(7, Buffer.alloc(0))).payload.length, 0);
  });

  it('returns the payload as a view, not a copy', () => {
    const buf = encodeWire(9, Buffer.from([1, 2, 3]));
    const { payload } = decodeWireHeader(buf);
    assert.equal(payload.buffer, buf.buffer);
    assert.equal(payload.byteOffset, buf.byteOffset + 5);
  });

  it('rejects bad schema ids when encoding', () => {
    assert.throws(() => encodeWire(-1, Buffer.alloc(0)), RangeError);
    assert.throws(() => encodeWire(2 ** 32, Buffer.alloc(0)), RangeError);
    assert.throws(() => encodeWire(1.5, Buffer.alloc(0)), RangeError);
  });

  it('null and undefined values are WIRE_FORMAT', () => {
    assert.match(wireError(null), /null/);
    assert.match(wireError(undefined), /null/);
  });

  it('empty and short buffers are WIRE_FORMAT naming the length', () => {
    assert.match(wireError(Buffer.alloc(0)), /empty \(0 bytes\)/);
    assert.match(wireError(Buffer.from([0])), /1 byte long/);
    assert.match(wireError(Buffer.from([0, 0, 0, 1])), /4 bytes long, shorter than the 5-byte/);
  });

  it('a bad magic byte is WIRE_FORMAT naming the byte found', () => {
    assert.match(wireError(Buffer.from('{"json":true}')), /magic byte 0x7b, expected 0x00/);
    assert.match(wireError(Buffer.from([1, 0, 0, 0, 1, 2])), /magic byte 0x01, expected 0x00/);
    assert.match(wireError(Buffer.from([0xff, 0, 0, 0, 1])), /magic byte 0xff/);
  });

  it('accepts a header with no payload (the payload decoder judges it)', () => {
    assert.deepEqual(decodeWireHeader(Buffer.from([0, 0, 0, 0, 42])).schemaId, 42);
  });
});
