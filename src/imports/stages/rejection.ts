/** Why a whole file was refused. Stable snake_case codes, listed in SPEC §7. */
export type RejectionReason =
  | 'invalid_utf8'
  | 'utf16_without_encoding'
  | 'wrong_delimiter'
  | 'unterminated_quote'
  | 'unknown_column'
  | 'duplicate_column'
  | 'missing_column'
  | 'empty_file'
  | 'malformed_csv';

/** The report's `rejection`: what is wrong, where (physical line, header = 1), and how to fix it. */
export interface Rejection {
  reason: RejectionReason;
  line?: number;
  /** Only for `invalid_utf8`: 0-based from the start of the file, BOM included. */
  byteOffset?: number;
  column?: string;
  message: string;
  hint: string;
}

/** Thrown by a stage when the whole file must be rejected; turned into the report's `rejection`. */
export class FileRejectedError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
    this.name = 'FileRejectedError';
  }
}
