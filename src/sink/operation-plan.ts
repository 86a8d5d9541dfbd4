/**
 * From a batch's row operations (offset order) to the statements that apply them. The end state of every
 * key must be what its last event says (insert, update, delete, insert of one key in one batch ends as
 * that last insert), with as few statements as that allows:
 *
 * - in upsert mode, only the last operation per key matters (a later write replaces the row, a later
 *   delete removes it whatever came before), so each key keeps its last operation, and since the keys are
 *   then distinct, all deletes go in one statement and all writes of one layout in another;
 * - in the other modes an earlier operation can change what a later one does (insert fails on an existing
 *   key, ignore keeps the first, update skips a missing row), so operations run in offset order and only
 *   neighbours of the same kind and layout share a statement.
 */
import type { RowLayout, RowOperation } from '../core/records.ts';

export interface Statement {
  readonly kind: RowOperation['kind'];
  readonly layout: RowLayout;
  readonly operations: RowOperation[];
}

export interface Plan {
  readonly statements: Statement[];
  /** Operations replaced by a later one of the same key (upsert mode): applied by being overtaken. */
  readonly superseded: number;
}

/** A layout: computed once per column model, shared by its operations. */
export function rowLayout(table: string, columns: readonly string[], keyColumns: readonly string[]): RowLayout {
  const keyIndexes = keyColumns.map((key) => {
    const index = columns.indexOf(key);
    if (index < 0) throw new TypeError(`key column ${key} is not among the columns of ${table}`);
    return index;
  });
  return Object.freeze({
    table,
    columns: Object.freeze([...columns]),
    keyColumns: Object.freeze([...keyColumns]),
    keyIndexes: Object.freeze(keyIndexes),
  });
}

/**
 * The row an operation addresses, as the server compares keys: tables are utf8mb4_bin, which ignores
 * trailing spaces (PAD SPACE) but nothing else; numbers compare by value whatever their JS type.
 * Undefined when the layout has no key (appended rows never meet).
 */
export function keyIdentity(operation: RowOperation): string | undefined {
  const { layout, values } = operation;
  if (layout.keyIndexes.length === 0) return undefined;
  let identity = layout.table;
  for (const index of layout.keyIndexes) identity += `\u0000${valueIdentity(values[index])}`;
  return identity;
}

function valueIdentity(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `s${value.replace(/ +$/, '')}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `n${String(value)}`;
  if (typeof value === 'boolean') return `n${value ? 1 : 0}`;
  if (Buffer.isBuffer(value)) return `b${value.toString('hex')}`;
  return `j${JSON.stringify(value)}`;
}

export function planStatements(operations: readonly RowOperation[], reduce: boolean): Plan {
  return reduce ? reduced(operations) : inOrder(operations);
}

function inOrder(operations: readonly RowOperation[]): Plan {
  const statements: Statement[] = [];
  let current: Statement | undefined;
  for (const operation of operations) {
    if (current === undefined || current.kind !== operation.kind || current.layout !== operation.layout) {
      current = { kind: operation.kind, layout: operation.layout, operations: [] };
      statements.push(current);
    }
    current.operations.push(operation);
  }
  return { statements, superseded: 0 };
}

function reduced(operations: readonly RowOperation[]): Plan {
  const identities = operations.map(keyIdentity);
  const last = new Map<string, number>();
  identities.forEach((identity, index) => {
    if (identity !== undefined) last.set(identity, index);
  });
  const deletes = new Map<RowLayout, Statement>();
  const writes = new Map<RowLayout, Statement>();
  let superseded = 0;
  operations.forEach((operation, index) => {
    const identity = identities[index];
    if (identity !== undefined && last.get(identity) !== index) {
      superseded++;
      return;
    }
    const groups = operation.kind === 'delete' ? deletes : writes;
    let statement = groups.get(operation.layout);
    if (statement === undefined) {
      statement = { kind: operation.kind, layout: operation.layout, operations: [] };
      groups.set(operation.layout, statement);
    }
    statement.operations.push(operation);
  });
  // Distinct keys commute, so deletes may go first; a write's layout never matters to another key.
  return { statements: [...deletes.values(), ...writes.values()], superseded };
}
