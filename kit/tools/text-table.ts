/**
 * Aligned plain-text tables for terminal output (verify, status). Plain spaces, no box characters, so
 * the output stays greppable and pastes cleanly into issues and logs.
 */

export type Align = 'left' | 'right';

export interface TableColumn {
  readonly header: string;
  /** Numbers read best right-aligned; default left. */
  readonly align?: Align;
}

/** One line per row, the header first; columns separated by two spaces, trailing blanks trimmed. */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] as number;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)];
}

/** A count or `-` for "not known / not applicable". */
export function cell(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : String(value);
}
