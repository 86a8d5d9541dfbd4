import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDate, formatTime, formatTimestampMicros, formatTimestampMillis } from '../../../src/avro/temporal.ts';
import { daysFromCivil, parseDate, parseTimeMicros, parseTimestampMicros } from '../../../src/avro/temporal.ts';

describe('temporal text', () => {
  it('matches Date for timestamps across the supported range', () => {
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 48271) % 2147483647;
      const ms = Math.round(((seed / 2147483647) * 2 - 1) * 253402300799999); // ±9999-12-31
      const iso = new Date(ms).toISOString();
      if (iso.length !== 24) continue; // expanded years: not comparable as text
      assert.equal(formatTimestampMillis(ms), `${iso.slice(0, 10)} ${iso.slice(11, 23)}`, String(ms));
      if (Number.isSafeInteger(ms * 1000 + 7))
        assert.equal(formatTimestampMicros(ms * 1000 + 7), `${iso.slice(0, 10)} ${iso.slice(11, 23)}007`);
      assert.equal(formatTimestampMicros(BigInt(ms) * 1000n + 7n), `${iso.slice(0, 10)} ${iso.slice(11, 23)}007`);
      assert.equal(formatTimestampMillis(BigInt(ms)), formatTimestampMillis(ms));
    }
  });

  it('formats edges', () => {
    assert.equal(formatDate(0), '1970-01-01');
    assert.equal(formatDate(-719528), '0000-01-01');
    assert.equal(formatDate(-719529), '-000001-12-31');
    assert.equal(formatDate(2932896), '9999-12-31');
    assert.equal(formatDate(2932897), '+010000-01-01');
    assert.equal(formatTime(0, 'ms'), '00:00:00.000');
    assert.equal(formatTime(86_399_999, 'ms'), '23:59:59.999');
    assert.equal(formatTime(86_399_999_999, 'us'), '23:59:59.999999');
    assert.equal(formatTime(90_000_000, 'ms'), '25:00:00.000');
    assert.equal(formatTimestampMillis(-1), '1969-12-31 23:59:59.999');
    assert.equal(formatTimestampMicros(-1n), '1969-12-31 23:59:59.999999');
  });

  it('parses what it formats, and refuses non-days', () => {
    for (const days of [-800000, -1, 0, 1, 19782, 2932896]) assert.equal(parseDate(formatDate(days)), days);
    assert.equal(daysFromCivil(2024, 2, 29), 19782);
    assert.equal(parseDate('2023-02-29'), undefined);
    assert.equal(parseDate('2024-13-01'), undefined);
    assert.equal(parseDate('24-01-01'), undefined);
    assert.equal(parseTimeMicros('13:45:10.5'), 49_510_500_000);
    assert.equal(parseTimeMicros('24:00:00'), undefined);
    assert.equal(
      parseTimestampMicros('2024-01-31T13:45:10.123456Z'),
      BigInt(Date.UTC(2024, 0, 31, 13, 45, 10, 123)) * 1000n + 456n,
    );
    assert.equal(parseTimestampMicros('2024-01-31 13:45:10'), BigInt(Date.UTC(2024, 0, 31, 13, 45, 10)) * 1000n);
    assert.equal(parseTimestampMicros('2024-01-31 13:45'), undefined);
  });
});
