import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { AppError } from '../../errors.js';
import { fileSource, type FileInput, type FileSource } from './file-source.js';
import type { CsvRecord } from './parse.js';
import { FileRejectedError } from './rejection.js';

export interface XlsxOptions {
  /** The sheet to read (`--sheet`); default the workbook's first. */
  sheet?: string;
  /** The row of the header (`--header-line`): rows above it are skipped. */
  headerLine?: number;
}

export interface XlsxFile {
  records: AsyncIterable<CsvRecord>;
  /** The sheet that was read, once `records` has started. */
  sheet: () => string | undefined;
}

/**
 * Reads one sheet of an `.xlsx` workbook as records, streaming: `line` is the sheet's row number, empty rows
 * are skipped, and each cell is the text a person sees in it, in the contract's forms (see {@link cellText}).
 * Memory holds the shared strings and one row, not the sheet.
 *
 * The zip is read by its central directory (yauzl), and the workbook's parts in the order they depend on each
 * other — the sheet list, the shared strings, the styles, then the one sheet asked for — each part parsed by
 * exceljs's streaming parsers. exceljs's own `WorkbookReader` takes the parts in the order the zip stores them
 * through unzipper's `Parse`, which announces its end when its input is used up, while entries it has found
 * may still wait unread: on a loaded machine a workbook's last parts (`xl/workbook.xml` among them) went
 * missing, one read in a few hundred.
 */
export function readXlsx(file: FileInput, opts: XlsxOptions = {}): XlsxFile {
  let sheetName: string | undefined;
  async function* read(): AsyncGenerator<CsvRecord> {
    let zip: Zip | undefined;
    try {
      zip = await openZip(fileSource(file));
      const book = await readBook(zip);
      const sheets = book.sheets();
      const sheet = opts.sheet === undefined ? sheets[0] : sheets.find((s) => s.name === opts.sheet);
      if (sheet === undefined) {
        throw new AppError(
          'usage',
          opts.sheet === undefined
            ? 'The workbook has no sheets.'
            : `The workbook has no sheet "${opts.sheet}". Its sheets: ${sheets.map((s) => `"${s.name}"`).join(', ')}.`,
        );
      }
      sheetName = sheet.name;
      let kept = 0;
      for await (const row of await book.worksheet(sheet)) {
        if (row.number < (opts.headerLine ?? 1)) continue;
        const cells = rowCells(row);
        if (cells.every((c) => c === '')) continue;
        kept++;
        yield { line: row.number, cells };
      }
      if (kept === 0) {
        throw new FileRejectedError({
          reason: 'empty_file',
          line: opts.headerLine ?? 1,
          message: `Sheet "${sheetName}" is empty${(opts.headerLine ?? 1) > 1 ? ` from row ${opts.headerLine}` : ''}.`,
          hint: 'The sheet needs a header row naming its columns, then one row per record.',
        });
      }
    } catch (err) {
      if (err instanceof FileRejectedError || err instanceof AppError) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err; // a file or upload gone: resumable
      throw new FileRejectedError({
        reason: 'unsupported_format',
        line: 1,
        message: `The workbook could not be read: ${(err as Error).message.replace(/[.\s]+$/, '')}.`,
        hint: 'Open it in Excel and save it again as .xlsx, or as “CSV UTF-8”.',
      });
    } finally {
      zip?.close();
    }
  }
  return { records: read(), sheet: () => sheetName };
}

/** A zip's entries by name, each opened on demand. */
interface Zip {
  open(name: string): Promise<Readable | undefined>;
  close(): void;
}

/** Reads a range of the file: yauzl's `end` is exclusive, a {@link FileSource}'s inclusive. */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly source: FileSource) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    return this.source.open({ start, end: end - 1 });
  }
}

async function openZip(source: FileSource): Promise<Zip> {
  const zip = await yauzl.fromRandomAccessReaderPromise(new SourceReader(source), await source.size(), {
    lazyEntries: true,
    autoClose: false,
  });
  try {
    const entries = new Map<string, yauzl.Entry>();
    for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
    return {
      open: async (name) => {
        const entry = entries.get(name);
        return entry && (await zip.openReadStreamPromise(entry));
      },
      close: () => zip.close(),
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}

interface SheetRef {
  name: string;
  /** The sheet's part in the zip, e.g. `xl/worksheets/sheet1.xml`. */
  part: string;
}

/** What exceljs's streaming `WorkbookReader` (4.4.0, pinned by the lockfile) has inside: a parser per part. */
interface BookParsers {
  _parseRels(stream: Readable): Promise<void>;
  _parseWorkbook(stream: Readable): Promise<void>;
  _parseSharedStrings(stream: Readable): AsyncGenerator<unknown>;
  _parseStyles(stream: Readable): Promise<void>;
  _parseWorksheet(
    stream: Readable,
    sheetNo: string,
  ): Generator<{ value: ExcelJS.stream.xlsx.WorksheetReader }>;
  workbookRels?: { Id: string; Type: string; Target: string }[];
  model?: { sheets?: { name: string; rId: string }[] };
}

/**
 * The workbook's sheet list, shared strings and styles, read before any sheet (a sheet's cells point into the
 * shared strings, and its dates are told from numbers by the styles).
 */
async function readBook(zip: Zip) {
  // Loaded on first use: exceljs is large, and most runs (and every other CLI command) never need it.
  const { default: excel } = await import('exceljs');
  const book = new excel.stream.xlsx.WorkbookReader('', {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell a date cell from a number
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as BookParsers;
  const part = async (name: string, required: boolean) => {
    const stream = await zip.open(name);
    if (!stream && required) throw new Error(`it has no ${name}`);
    return stream;
  };
  await book._parseRels((await part('xl/_rels/workbook.xml.rels', true))!);
  await book._parseWorkbook((await part('xl/workbook.xml', true))!);
  const sharedStrings = await part('xl/sharedStrings.xml', false);
  if (sharedStrings) for await (const _ of book._parseSharedStrings(sharedStrings));
  const styles = await part('xl/styles.xml', false);
  if (styles) await book._parseStyles(styles);

  const rels = new Map((book.workbookRels ?? []).map((rel) => [rel.Id, rel]));
  const sheets: SheetRef[] = [];
  for (const sheet of book.model?.sheets ?? []) {
    const rel = rels.get(sheet.rId);
    if (!rel?.Type.endsWith('/worksheet')) continue; // a chart sheet has no cells
    const part = rel.Target.startsWith('/') ? rel.Target.slice(1) : posix.normalize(`xl/${rel.Target}`);
    sheets.push({ name: sheet.name, part });
  }
  return {
    /** The worksheets, in the workbook's tab order. */
    sheets: () => sheets,
    worksheet: async (sheet: SheetRef) => {
      const stream = await part(sheet.part, true);
      const [emitted] = [...book._parseWorksheet(stream!, String(sheets.indexOf(sheet) + 1))];
      return emitted!.value;
    },
  };
}

function rowCells(row: ExcelJS.Row): string[] {
  // row.values is 1-based and sparse.
  const values = row.values as ExcelJS.CellValue[];
  const cells: string[] = [];
  for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
  return cells;
}

/**
 * The text a person sees in a cell, in the contract's forms: a date `YYYY-MM-DD` (with ` HH:MM[:SS]` when it
 * has a time), a number as Excel shows it (15 significant digits, no exponent, so `0.1+0.2` is `0.3` and a
 * 15-digit phone number stays whole), `true`/`false`, a formula's last computed value, rich text as its text.
 */
export function cellText(value: ExcelJS.CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return dateText(value);
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return '';
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('text' in value) return cellText(value.text as ExcelJS.CellValue);
  if ('error' in value) return String(value.error);
  return '';
}

/** A number as Excel shows it in a General cell: at most 15 significant digits, never an exponent. */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const rounded = Number(n.toPrecision(15));
  const s = String(rounded);
  if (!/e/i.test(s)) return s;
  if (Number.isInteger(rounded)) return BigInt(rounded).toString();
  // Tiny numbers: as many decimals as their 15 significant digits need.
  const exponent = Math.floor(Math.log10(Math.abs(rounded)));
  return rounded.toFixed(Math.min(100, 14 - exponent)).replace(/\.?0+$/, '');
}

/** Excel's dates have no time zone: exceljs hands them over as UTC. Excel stores times as fractions of a day. */
function dateText(d: Date): string {
  const iso = new Date(Math.round(d.getTime() / 1000) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const [date, time] = [iso.slice(0, 10), iso.slice(11, 19)];
  if (time === '00:00:00') return date;
  return `${date} ${time.endsWith(':00') ? time.slice(0, 5) : time}`;
}
