/**
 * Avro string that refuses invalid UTF-8 instead of decoding it with U+FFFD replacement characters:
 * the sink must never write altered text. Same wire form as avsc's string; only reading checks. The
 * check costs one indexOf per string: only a string that came out with U+FFFD in it is validated
 * against its bytes (the character itself, correctly encoded, is valid text).
 */
import { isUtf8 } from 'node:buffer';
import avro from 'avsc';
import type { Type } from 'avsc';
import { SinkError } from '../core/errors.ts';

/** avsc's reading cursor (not in its typings): the buffer, the position, and its string reader. */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  readString(): string | undefined;
}

function readCheckedString(tap: Tap): string | undefined {
  const start = tap.pos;
  const text = tap.readString();
  if (text === undefined || !text.includes('\uFFFD')) return text;
  // Read the length prefix again to find the bytes the text came from, then put the cursor back.
  const end = tap.pos;
  tap.pos = start;
  const length = tap.readLong();
  const bytes = tap.buf.subarray(tap.pos, tap.pos + length);
  tap.pos = end;
  if (isUtf8(bytes)) return text;
  const at = validPrefixLength(bytes);
  throw new SinkError(
    'INVALID_UTF8',
    `an Avro string holds invalid UTF-8 (byte ${at} of ${length} is 0x${bytes[at]!.toString(16).padStart(2, '0')}); ` +
      'it is set aside rather than written with replacement characters',
  );
}

/** Position of the first byte the decoder replaced: where the text, encoded again, differs from the bytes. */
function validPrefixLength(bytes: Buffer): number {
  const again = Buffer.from(bytes.toString('utf8'), 'utf8');
  let i = 0;
  while (i < bytes.length && i < again.length && bytes[i] === again[i]) i++;
  return Math.min(i, bytes.length - 1);
}

/** avsc's string type with a checking reader (avsc freezes its types: a subclass, not a patch). */
class CheckedStringType extends (avro.types.StringType as unknown as new () => object) {
  _read(tap: Tap): string | undefined {
    return readCheckedString(tap);
  }
}

export const STRING_TYPE: Type = new CheckedStringType() as unknown as Type;
