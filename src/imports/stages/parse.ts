import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { AppError } from '../../errors.js';
import { FileRejectedError } from './rejection.js';

/** One CSV record, cells as written (not trimmed). `line` is the physical line it starts on, header = 1. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export interface ParseOptions {
  /** One character; default `,`. */
  delimiter?: string;
  /** The line of the header (`--header-line`, default 1): records that start above it are skipped. */
  headerLine?: number;
  /**
   * Reads the decoded text again from the start, e.g. `() => decodeFile(path, opts).text`. Used
   * only to find the line where an unterminated quote opened, which csv-parse cannot tell.
   */
  reopen: () => AsyncIterable<string>;
}

/**
 * A record may hold up to this many bytes. csv-parse keeps the current record in memory, and an
 * unclosed quote makes everything after it one record: without a cap a big file would exhaust memory.
 */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/**
 * Stage 2: parses LF-normalised text (from `decodeFile`) into records, streaming with backpressure.
 * Blank lines, and records above `headerLine`, are skipped but counted. A wrong number of fields is left
 * to the row checks.
 * Throws {@link FileRejectedError}: `unterminated_quote` naming the line the quote opened on,
 * `empty_file` when there is no record at all, `malformed_csv` for anything else csv-parse refuses.
 * Note that an unterminated quote is only found at the end of the file (or after 4 MiB).
 */
export async function* parseCsv(text: AsyncIterable<string>, opts: ParseOptions): AsyncGenerator<CsvRecord> {
  const delimiter = opts.delimiter ?? ',';
  const headerLine = opts.headerLine ?? 1;
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new AppError('usage', `The delimiter must be one character other than a quote or a line break.`);
  }
  // No `info`, `on_record` or `skip_empty_lines`: they halve csv-parse's speed (each builds an info
  // object per record). Lines are counted here instead, which LF-only text makes exact.
  const parser = parse({
    delimiter,
    record_delimiter: '\n',
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  const input = Readable.from(text);
  // pipe() does not forward errors: a decode rejection must surface from the parser's iterator.
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let nextLine = 1; // where the next record starts
  let parsed = 0; // records from csv-parse, blank lines included, as its errors count them
  let kept = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      const line = nextLine;
      nextLine += 1 + lineBreaksIn(cells);
      parsed++;
      if (cells.length === 1 && cells[0] === '') continue; // a blank line (or a lone "": as empty)
      if (line < headerLine) continue; // notes above the header (LinkedIn's connections export)
      kept++;
      yield { line, cells };
    }
  } catch (err) {
    if (err instanceof CsvError) throw await rejectionFor(err, nextLine, parsed, delimiter, opts.reopen);
    throw err;
  } finally {
    // Stops the text when the consumer stopped early or the parser failed, and waits for that to
    // finish so the decode stage's file info is complete when we return.
    if (!input.closed) {
      const closed = new Promise((resolve) => input.once('close', resolve));
      input.destroy();
      await closed;
    }
  }
  if (kept === 0 && headerLine > 1) {
    throw new FileRejectedError({
      reason: 'empty_file',
      line: headerLine,
      message: `The file has no header on line ${headerLine} or after it.`,
      hint: 'Name the line of the header row with --header-line (line 1 is the first line of the file).',
    });
  }
  if (kept === 0) {
    throw new FileRejectedError({
      reason: 'empty_file',
      line: 1,
      message: 'The file is empty: it has no header row and no data.',
      hint: 'The file needs a header row naming its columns, then one row per record.',
    });
  }
}

/**
 * csv-parse says where it stopped, not where the trouble began, and records it had parsed but we
 * had not read yet are lost with its error. `nextLine` and `parsed` mark a record boundary we did
 * reach; re-reading the text from there finds the failing record and any quote left open.
 */
async function rejectionFor(
  err: CsvError,
  nextLine: number,
  parsed: number,
  delimiter: string,
  reopen: () => AsyncIterable<string>,
): Promise<FileRejectedError> {
  if (err.code !== 'CSV_QUOTE_NOT_CLOSED' && err.code !== 'CSV_MAX_RECORD_SIZE') {
    return new FileRejectedError({
      reason: 'malformed_csv',
      ...(typeof err.lines === 'number' && { line: err.lines }),
      message: `The file is not valid CSV: ${err.message}`,
      hint: 'Open the file in a spreadsheet and save it again as CSV.',
    });
  }
  const unread = typeof err.records === 'number' ? err.records - parsed : 0;
  const scan = await scanQuotes(reopen(), delimiter, nextLine, unread);
  const quoteLine = scan.openQuoteLine ?? (err.code === 'CSV_QUOTE_NOT_CLOSED' ? scan.recordLine : undefined);
  if (quoteLine !== undefined) {
    return new FileRejectedError({
      reason: 'unterminated_quote',
      line: quoteLine,
      message: `A quoted field opened on line ${quoteLine} is never closed, so the rest of the file would be one cell.`,
      hint: `Close the quote or remove the stray " on line ${quoteLine}.`,
    });
  }
  // The quote does close, far away: one record longer than anyone would write.
  const line = scan.recordLine;
  return new FileRejectedError({
    reason: 'malformed_csv',
    line,
    message: `The record starting on line ${line} is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MiB.`,
    hint: `Look for a " on line ${line} that is closed much further down than intended.`,
  });
}

/** A record spans one line more than the line breaks inside its quoted cells. */
function lineBreaksIn(cells: string[]): number {
  let breaks = 0;
  for (const cell of cells)
    for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) breaks++;
  return breaks;
}

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

/**
 * Replays csv-parse's quoting rules (relax_quotes: a quote only opens at the start of a field, and a
 * closing quote followed by other text ends quoting) from the record starting on `fromLine` to the
 * end. Returns where the record `skip` records further on starts, and where the quote still open at
 * the end (if any) was opened.
 */
async function scanQuotes(text: AsyncIterable<string>, delimiter: string, fromLine: number, skip: number) {
  const delim = delimiter.charCodeAt(0);
  let [line, state, openedOn, recordLine] = [1, FIELD_START, 0, fromLine];
  for await (const chunk of text) {
    let i = 0;
    // Lines before the boundary only need counting, which indexOf does fast.
    while (line < fromLine && i < chunk.length) {
      const nl = chunk.indexOf('\n', i);
      if (nl === -1) i = chunk.length;
      else [line, i] = [line + 1, nl + 1];
    }
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) line++;
      if (state === QUOTED) {
        if (c === 34) state = QUOTE_IN_QUOTED;
      } else if (state === QUOTE_IN_QUOTED && c === 34) {
        state = QUOTED; // a doubled quote
      } else if (c === 10 || c === delim) {
        state = FIELD_START;
        if (c === 10 && skip > 0) [skip, recordLine] = [skip - 1, line];
      } else if (state === FIELD_START && c === 34) {
        [state, openedOn] = [QUOTED, line];
      } else {
        state = UNQUOTED;
      }
    }
  }
  return { recordLine, openQuoteLine: state === QUOTED ? openedOn : undefined };
}
