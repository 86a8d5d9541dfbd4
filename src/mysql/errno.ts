/**
 * The one table of MySQL / MariaDB errors the product and the kit act on, with a named predicate for
 * each decision. Transient errors roll the batch back and retry it; data errors isolate the offending
 * record into the dead-letter table; everything else stops the partition.
 */
import { isSinkError } from '../core/errors.ts';

/** Server error numbers that have a predicate of their own below. */
export const ERRNO = Object.freeze({
  /** ER_DBACCESS_DENIED_ERROR: the user may not use (or create) that database. */
  DATABASE_ACCESS_DENIED: 1044,
  /** ER_ACCESS_DENIED_ERROR: wrong user name or password. */
  ACCESS_DENIED: 1045,
  /** ER_BAD_DB_ERROR: the database does not exist. */
  UNKNOWN_DATABASE: 1049,
  /** ER_DUP_FIELDNAME: the column exists already (another instance added it first). */
  DUPLICATE_COLUMN: 1060,
  /** ER_NO_SUCH_TABLE. */
  NO_SUCH_TABLE: 1146,
});

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
  // The mariadb connector's (mysql.write.protocol=bulk): lost socket, pool wait, socket timeout.
  'ER_SOCKET_UNEXPECTED_CLOSE',
  'ER_CONNECTION_ALREADY_CLOSED',
  'ER_GET_CONNECTION_TIMEOUT',
  'ER_SOCKET_TIMEOUT',
]);

/** Driver codes meaning "no server to talk to": the fix is the address or starting the server. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
]);

/**
 * Errors that belong to one row's values, not to the batch: strict mode rejects the statement only, the
 * split in the batch writer isolates the row, and it is dead-lettered (or, with errors.tolerance=none,
 * the partition stops at it after committing what came before). MySQL and MariaDB numbers alike.
 */
const DATA_ERRNOS = new Set([
  1048, // ER_BAD_NULL_ERROR: NULL into a NOT NULL column
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1265, // WARN_DATA_TRUNCATED
  1292, // ER_TRUNCATED_WRONG_VALUE
  1300, // ER_INVALID_CHARACTER_STRING
  1364, // ER_NO_DEFAULT_FOR_FIELD: a NOT NULL column without default the record has no value for
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (also: a character the column's charset can not hold)
  1367, // ER_ILLEGAL_VALUE_FOR_TYPE
  1406, // ER_DATA_TOO_LONG
  1411, // ER_WRONG_VALUE_FOR_TYPE
  1416, // ER_CANT_CREATE_GEOMETRY_OBJECT
  1525, // ER_WRONG_VALUE
  1690, // ER_DATA_OUT_OF_RANGE
  1918, // ER_CANNOT_CONVERT_CHARACTER (MariaDB)
  3140, // ER_INVALID_JSON_TEXT (MySQL)
  3819, // ER_CHECK_CONSTRAINT_VIOLATED (MySQL 8 CHECK)
  3988, // ER_CANNOT_CONVERT_STRING (MySQL 8)
  4025, // ER_CONSTRAINT_FAILED (MariaDB CHECK, e.g. JSON_VALID)
  4078, // ER_BAD_DATA (MariaDB: a value its type can not hold)
]);

/** What the drivers attach to their errors. */
interface DriverError {
  errno?: number;
  code?: string;
  fatal?: boolean;
}

function errnoOf(error: unknown): number | undefined {
  const errno = (error as DriverError | null | undefined)?.errno;
  return typeof errno === 'number' ? errno : undefined;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as DriverError | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Deadlock, lock wait timeout, lost or refused connection, server restart: the same work may succeed later. */
export function isTransientDbError(error: unknown): boolean {
  const errno = errnoOf(error);
  if (errno !== undefined && TRANSIENT_ERRNOS.has(errno)) return true;
  const code = codeOf(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  return (error as DriverError | null | undefined)?.fatal === true;
}

/**
 * The one "try again?" rule of the product: an error it raised itself says so (`retriable`); a driver
 * error is retried when it is transient.
 */
export function isRetriable(error: unknown): boolean {
  return isSinkError(error) ? error.retriable : isTransientDbError(error);
}

/** A value the column cannot hold (strict mode): the record's fault, not the batch's. */
/** ER_DUP_ENTRY: a row with this key exists (insert mode on a keyed table). */
export function isDuplicateKey(error: unknown): boolean {
  return errnoOf(error) === 1062;
}

export function isDataError(error: unknown): boolean {
  const errno = errnoOf(error);
  return errno !== undefined && DATA_ERRNOS.has(errno);
}

/** The server refused the login or the database: wrong user, password or database name. */
export function isAccessDenied(error: unknown): boolean {
  return isWrongCredentials(error) || isDatabaseAccessDenied(error) || isUnknownDatabase(error);
}

export function isWrongCredentials(error: unknown): boolean {
  return errnoOf(error) === ERRNO.ACCESS_DENIED;
}

export function isDatabaseAccessDenied(error: unknown): boolean {
  return errnoOf(error) === ERRNO.DATABASE_ACCESS_DENIED;
}

export function isUnknownDatabase(error: unknown): boolean {
  return errnoOf(error) === ERRNO.UNKNOWN_DATABASE;
}

export function isDuplicateColumn(error: unknown): boolean {
  return errnoOf(error) === ERRNO.DUPLICATE_COLUMN;
}

export function isNoSuchTable(error: unknown): boolean {
  return errnoOf(error) === ERRNO.NO_SUCH_TABLE;
}

/** The driver's code (ECONNREFUSED, ENOTFOUND, …) when no server answered at the address; else undefined. */
export function unreachableCode(error: unknown): string | undefined {
  const code = codeOf(error);
  return code !== undefined && UNREACHABLE_CODES.has(code) ? code : undefined;
}
