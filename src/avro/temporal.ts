/**
 * Text forms of Avro date / time / timestamp values, computed with integer arithmetic (no Date, no local
 * time zone) so any Avro value has exactly one rendering, including values past year 9999 that Date
 * cannot hold. Years 0..9999 print with 4 digits; others in ISO 8601 expanded form (`+010000`, `-000001`),
 * which the column model then rejects for MySQL DATE / DATETIME.
 */

const MS_PER_DAY = 86_400_000;
const US_PER_DAY = 86_400_000_000;
const US_PER_DAY_N = 86_400_000_000n;
const MS_PER_DAY_N = 86_400_000n;

function pad2(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

function pad3(n: number): string {
  return n < 10 ? '00' + n : n < 100 ? '0' + n : '' + n;
}

function pad6(n: number): string {
  const s = '' + n;
  return s.length >= 6 ? s : '000000'.slice(s.length) + s;
}

function yearText(y: number): string {
  if (y >= 0 && y <= 9999) return y >= 1000 ? '' + y : ('000' + y).slice(-4);
  const abs = '' + Math.abs(y);
  return (y < 0 ? '-' : '+') + (abs.length >= 6 ? abs : '000000'.slice(abs.length) + abs);
}

// Records in one batch mostly share a day: remember the last rendering.
let lastDays = Number.NaN;
let lastDateText = '';

/** Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian, H. Hinnant's civil_from_days). */
export function formatDate(days: number): string {
  if (days === lastDays) return lastDateText;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const text = yearText(y) + '-' + pad2(m) + '-' + pad2(d);
  lastDays = days;
  lastDateText = text;
  return text;
}

/** Inverse of formatDate (days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Time of day → `HH:MM:SS.fff` (unit 'ms') or `HH:MM:SS.ffffff` (unit 'us'). A value outside one day
 * (not a valid Avro time) still renders, with hours past 23 or a leading '-', so it can be reported.
 */
export function formatTime(value: number, unit: 'ms' | 'us'): string {
  const sign = value < 0 ? '-' : '';
  let v = Math.abs(value);
  let frac: string;
  if (unit === 'ms') {
    frac = pad3(v % 1000);
    v = Math.floor(v / 1000);
  } else {
    frac = pad6(v % 1_000_000);
    v = Math.floor(v / 1_000_000);
  }
  const s = v % 60;
  v = Math.floor(v / 60);
  return sign + pad2(Math.floor(v / 60)) + ':' + pad2(v % 60) + ':' + pad2(s) + '.' + frac;
}

/** Epoch milliseconds (UTC) → `YYYY-MM-DD HH:MM:SS.fff`. */
export function formatTimestampMillis(ms: number | bigint): string {
  const days = floorDays(ms, MS_PER_DAY, MS_PER_DAY_N);
  return formatDate(days) + ' ' + formatTime(unitsIntoDay(ms, days, MS_PER_DAY, MS_PER_DAY_N), 'ms');
}

/** Epoch microseconds (UTC) → `YYYY-MM-DD HH:MM:SS.ffffff`. */
export function formatTimestampMicros(us: number | bigint): string {
  const days = floorDays(us, US_PER_DAY, US_PER_DAY_N);
  return formatDate(days) + ' ' + formatTime(unitsIntoDay(us, days, US_PER_DAY, US_PER_DAY_N), 'us');
}

/** Whole days since the epoch, floored (also before 1970). Exact for bigint values beyond 2^53. */
function floorDays(value: number | bigint, perDay: number, perDayN: bigint): number {
  if (typeof value === 'number') return Math.floor(value / perDay);
  let d = value / perDayN;
  if (value < 0n && d * perDayN !== value) d -= 1n;
  return Number(d);
}

/** Units (ms or µs) elapsed in day `days`. */
function unitsIntoDay(value: number | bigint, days: number, perDay: number, perDayN: bigint): number {
  return typeof value === 'number' ? value - days * perDay : Number(value - BigInt(days) * perDayN);
}

const DATE_RE = /^([+-]\d{4,}|\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const TIMESTAMP_RE = /^([+-]\d{4,}|\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]00:?00)?$/;

/** The first three captured groups as numbers (year-month-day or hours-minutes-seconds). */
function leadingNumbers(m: RegExpExecArray): [number, number, number] {
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** `YYYY-MM-DD` → days since epoch; undefined when not that shape or not a real calendar day. */
export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = leadingNumbers(m);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const days = daysFromCivil(year, month, day);
  // Rejects 2023-02-30 and the like: the day must survive the round trip.
  return formatDate(days).endsWith(`-${m[2]}-${m[3]}`) ? days : undefined;
}

/** `HH:MM:SS[.f…]` → microseconds after midnight; undefined when not a time of day. */
export function parseTimeMicros(text: string): number | undefined {
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  const [h, min, s] = leadingNumbers(m);
  if (h > 23 || min > 59 || s > 59) return undefined;
  const frac = Number((m[4] ?? '').padEnd(6, '0'));
  return ((h * 60 + min) * 60 + s) * 1_000_000 + frac;
}

/** `YYYY-MM-DD[ T]HH:MM:SS[.f…][Z]` (UTC) → epoch microseconds; undefined when malformed. */
export function parseTimestampMicros(text: string): bigint | undefined {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return undefined;
  const days = parseDate(`${m[1]}-${m[2]}-${m[3]}`);
  const time = parseTimeMicros(`${m[4]}:${m[5]}:${m[6]}${m[7] === undefined ? '' : '.' + m[7]}`);
  if (days === undefined || time === undefined) return undefined;
  return BigInt(days) * US_PER_DAY_N + BigInt(time);
}
