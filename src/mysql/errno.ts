/**
 * MySQL / MariaDB error classification. Transient errors roll the batch back and retry it; data errors
 * isolate the offending record into the dead-letter table; everything else stops the partition.
 */
const TRANSIENT_ERRNOS = new Set([
  1205, // ER_LOCK_WAIT_TIMEOUT
  1213, // ER_LOCK_DEADLOCK
  1040, // ER_CON_COUNT_ERROR
  1053, // ER_SERVER_SHUTDOWN
  1927, // ER_CONNECTION_KILLED (MariaDB)
  2002,
  2003,
  2006,
  2013, // client: can't connect, gone away, lost connection
  1290, // read-only (failover in progress)
  4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
]);

const TRANSIENT_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'POOL_CLOSED_TRANSIENT',
]);

/** Errors that belong to one row's values, not to the batch: strict mode rejects the statement only. */
const DATA_ERRNOS = new Set([
  1048, // ER_BAD_NULL_ERROR
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1265, // WARN_DATA_TRUNCATED
  1292, // ER_TRUNCATED_WRONG_VALUE
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  1367, // ER_ILLEGAL_VALUE_FOR_TYPE
  1406, // ER_DATA_TOO_LONG
  1416, // ER_CANT_CREATE_GEOMETRY_OBJECT
  3140, // ER_INVALID_JSON_TEXT (MySQL)
  4025, // ER_CONSTRAINT_FAILED (MariaDB CHECK, e.g. JSON_VALID)
  3819, // ER_CHECK_CONSTRAINT_VIOLATED (MySQL 8 CHECK)
  1690, // ER_DATA_OUT_OF_RANGE
  1054, // ER_BAD_FIELD_ERROR never reaches here: columns come from the model
]);

interface DriverError {
  errno?: number;
  code?: string;
  fatal?: boolean;
}

export function isTransientDbError(error: unknown): boolean {
  const e = error as DriverError;
  if (typeof e?.errno === 'number' && TRANSIENT_ERRNOS.has(e.errno)) return true;
  if (typeof e?.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  return e?.fatal === true;
}

export function isDataError(error: unknown): boolean {
  const e = error as DriverError;
  return typeof e?.errno === 'number' && DATA_ERRNOS.has(e.errno) && e.errno !== 1054;
}

export function isAccessDenied(error: unknown): boolean {
  const e = error as DriverError;
  return e?.errno === 1045 || e?.errno === 1044 || e?.errno === 1049;
}
