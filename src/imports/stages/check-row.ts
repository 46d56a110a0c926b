import type { CsvRecord } from './parse.js';
import { isNoteColumn, type CheckedHeader } from './check-header.js';

/** The cells of one row by canonical column: trimmed, with a spreadsheet-neutralising `'` removed. */
export type Cells = ReadonlyMap<string, string>;

/** Something wrong with one row: data, never an exception. */
export interface RowProblem {
  reason: string;
  column?: string;
  message: string;
  hint?: string;
}

export type RowCells = { kind: 'blank' } | { kind: 'row'; cells: Cells; problem?: RowProblem };

/** `'=1+2` as written by our errors CSV reads back as `=1+2`. */
function unneutralise(value: string): string {
  return value.length > 1 && value[0] === "'" && '=+-@'.includes(value[1]!) ? value.slice(1) : value;
}

/** Maps a record onto the header; a row of empty cells is a blank line, a wrong field count a problem. */
export function toCells(header: CheckedHeader, record: CsvRecord): RowCells {
  if (record.cells.every((c) => c.trim() === '')) return { kind: 'blank' };
  const cells = new Map<string, string>();
  header.columns.forEach((column, i) => {
    if (!isNoteColumn(column)) cells.set(column, unneutralise((record.cells[i] ?? '').trim()));
  });
  if (record.cells.length !== header.columns.length) {
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

const EMAIL = /^[^\s@",;<>()[\]]+@[^\s@",;<>()[\]]+\.[^\s@",;<>()[\].]+$/u;

/** A checked email, or a problem naming the column. Deliberately permissive: accents are allowed. */
export function checkEmail(value: string, column: string): string | RowProblem {
  if (value === '') return missing(column);
  if (value.length > 254 || !EMAIL.test(value)) {
    return {
      reason: 'invalid_email',
      column,
      message: `"${value}" in ${column} is not an email address.`,
      hint: 'Write it as name@example.com.',
    };
  }
  return value;
}

/** `true`/`false` in any case, blank as null; anything else a problem. */
export function checkBoolean(value: string, column: string): 0 | 1 | null | RowProblem {
  if (value === '') return null;
  const folded = value.toLowerCase();
  if (folded === 'true') return 1;
  if (folded === 'false') return 0;
  return {
    reason: 'invalid_boolean',
    column,
    message: `"${value}" in ${column} is not true or false.`,
    hint: 'Write true or false (any case), or leave the cell blank to keep the current value.',
  };
}

export function missing(column: string): RowProblem {
  return { reason: 'missing_value', column, message: `${column} is empty.`, hint: `Fill in ${column}.` };
}

export function isProblem(value: unknown): value is RowProblem {
  return typeof value === 'object' && value !== null && 'reason' in value;
}
