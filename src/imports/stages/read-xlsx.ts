import type ExcelJS from 'exceljs';
import { AppError } from '../../errors.js';
import type { FileInput } from './file-source.js';
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
 * Reads one sheet of an `.xlsx` workbook as records, streaming (exceljs's WorkbookReader): `line` is the
 * sheet's row number, empty rows are skipped, and each cell is the text a person sees in it, in the contract's
 * forms (see {@link cellText}). Memory holds the shared strings and one row, not the sheet.
 */
export function readXlsx(file: FileInput, opts: XlsxOptions = {}): XlsxFile {
  let sheetName: string | undefined;
  async function* read(): AsyncGenerator<CsvRecord> {
    // Loaded on first use: exceljs is large, and most runs (and every other CLI command) never need it.
    const { default: excel } = await import('exceljs');
    const workbook = new excel.stream.xlsx.WorkbookReader(typeof file === 'string' ? file : file.open(), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache', // needed to tell a date cell from a number
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    const seen: string[] = [];
    let kept = 0;
    try {
      for await (const worksheet of workbook) {
        const name = (worksheet as unknown as { name?: string }).name ?? `Sheet${seen.length + 1}`;
        seen.push(name);
        if (sheetName !== undefined || (opts.sheet !== undefined && opts.sheet !== name)) {
          for await (const _row of worksheet); // drain it: the workbook's stream waits for every sheet
          continue;
        }
        sheetName = name;
        for await (const row of worksheet) {
          if (row.number < (opts.headerLine ?? 1)) continue;
          const cells = rowCells(row);
          if (cells.every((c) => c === '')) continue;
          kept++;
          yield { line: row.number, cells };
        }
      }
    } catch (err) {
      if (err instanceof FileRejectedError || err instanceof AppError) throw err;
      throw new FileRejectedError({
        reason: 'unsupported_format',
        line: 1,
        message: `The workbook could not be read: ${(err as Error).message}.`,
        hint: 'Open it in Excel and save it again as .xlsx, or as “CSV UTF-8”.',
      });
    }
    if (sheetName === undefined) {
      throw new AppError(
        'usage',
        `The workbook has no sheet "${opts.sheet}". Its sheets: ${seen.map((s) => `"${s}"`).join(', ')}.`,
      );
    }
    if (kept === 0) {
      throw new FileRejectedError({
        reason: 'empty_file',
        line: opts.headerLine ?? 1,
        message: `Sheet "${sheetName}" is empty${(opts.headerLine ?? 1) > 1 ? ` from row ${opts.headerLine}` : ''}.`,
        hint: 'The sheet needs a header row naming its columns, then one row per record.',
      });
    }
  }
  return { records: read(), sheet: () => sheetName };
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
