import { unneutralise } from '../../exports/formula-cells.js';
import type { CsvRecord } from './parse.js';
import type { RowProblem } from '../../domain/row-problem.js';
import { isNoteColumn, type CheckedHeader } from './check-header.js';

/** The cells of one row by canonical column: trimmed, with a spreadsheet-neutralising `'` removed. */
export type Cells = ReadonlyMap<string, string>;

export type RowCells = { kind: 'blank' } | { kind: 'row'; cells: Cells; problem?: RowProblem };

/** Maps a record onto the header; a row of empty cells is a blank line, a wrong field count a problem. */
export function toCells(header: CheckedHeader, record: CsvRecord): RowCells {
  if (record.cells.every((c) => c.trim() === '')) return { kind: 'blank' };
  const cells = new Map<string, string>();
  header.columns.forEach((column, i) => {
    if (column !== null && !isNoteColumn(column))
      cells.set(column, unneutralise((record.cells[i] ?? '').trim()));
  });
  // PostgreSQL cannot store a NUL in text (SQLite can): on both, a row holding one is invalid, never a failed run.
  const nul = record.cells.findIndex((c) => c.includes('\0'));
  if (nul >= 0) {
    const column = header.columns[nul];
    return {
      kind: 'row',
      cells,
      problem: {
        reason: 'invalid_character',
        ...(column ? { column } : {}),
        message: `${column ?? `Field ${nul + 1}`} holds a NUL character (byte 0x00), which no value may contain.`,
        hint: 'Remove it: it is usually left by a broken export or a binary file saved as CSV.',
      },
    };
  }
  // Empty cells past the header's width (trailing commas, as some exports write) are no fields.
  if (record.cells.length !== header.columns.length && !onlyBlankPast(record.cells, header.columns.length)) {
    return {
      kind: 'row',
      cells,
      problem: {
        reason: 'wrong_field_count',
        message: `Line ${record.line} has ${record.cells.length} fields but the header has ${header.columns.length}.`,
        hint: 'Check for a missing or extra comma, or quote the value that contains a comma.',
      },
    };
  }
  return { kind: 'row', cells };
}

function onlyBlankPast(cells: string[], width: number): boolean {
  return cells.length > width && cells.slice(width).every((c) => c.trim() === '');
}
