import { capped } from '../../domain/text.js';

/** Why a whole file was refused. Stable snake_case codes, listed in SPEC §7. */
export type RejectionReason =
  | 'invalid_utf8'
  | 'wrong_delimiter'
  | 'unterminated_quote'
  | 'unknown_column'
  | 'duplicate_column'
  | 'missing_column'
  | 'empty_file'
  | 'malformed_csv'
  | 'unsupported_format';

/** One column of `unknown_column`: its header cell, the column it may have meant, a note on what it is. */
export interface UnknownColumn {
  name: string;
  suggestion?: string;
  note?: string;
}

/** The report's `rejection`: what is wrong, where (physical line, header = 1), and how to fix it. */
export interface Rejection {
  reason: RejectionReason;
  line?: number;
  /** Only for `invalid_utf8`: 0-based from the start of the file, BOM included. */
  byteOffset?: number;
  column?: string;
  /** Only for `unknown_column`: every unknown column at once. */
  columns?: UnknownColumn[];
  message: string;
  hint: string;
}

/** Thrown by a stage when the whole file must be rejected; turned into the report's `rejection`. */
export class FileRejectedError extends Error {
  readonly rejection: Rejection;
  constructor(rejection: Rejection) {
    // Messages quote values from the file; however they were built, none is echoed whole (a 2 MB header).
    const column = rejection.column === undefined ? {} : { column: capped(rejection.column, 200) };
    const columns =
      rejection.columns === undefined
        ? {}
        : { columns: rejection.columns.slice(0, 500).map((c) => ({ ...c, name: capped(c.name, 200) })) };
    const fitted = {
      ...rejection,
      ...column,
      ...columns,
      message: capped(rejection.message),
      hint: capped(rejection.hint, 4000),
    };
    super(fitted.message);
    this.rejection = fitted;
    this.name = 'FileRejectedError';
  }
}
