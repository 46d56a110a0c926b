import { createHash } from 'node:crypto';
import { decodeFile, type FileInfo } from './decode.js';
import { detectFormat } from './file-format.js';
import { fileSource, type FileInput, type FileSource } from './file-source.js';
import { parseCsv, type CsvRecord } from './parse.js';
import { readXlsx } from './read-xlsx.js';

export interface ReadOptions {
  encoding?: string;
  delimiter?: string;
  headerLine?: number;
  sheet?: string;
}

/** The file's records, whatever its format, and what the run record keeps about it. */
export interface OpenedFile {
  records: AsyncIterable<CsvRecord>;
  /** Throws until `records` has finished. */
  info: () => FileInfo;
}

/**
 * Stages 1 and 2 for any file: a workbook (`.xlsx`, by its content) is read sheet row by sheet row, anything
 * else is decoded and parsed as CSV. Either way memory does not grow with the file.
 */
export function readFile(file: FileInput, opts: ReadOptions): OpenedFile {
  const path = fileSource(file);
  let info: (() => FileInfo) | undefined;
  async function* records(): AsyncGenerator<CsvRecord> {
    const format = await detectFormat(path).catch(async (err: unknown) => {
      info = await hashOnly(path, 'binary', {});
      throw err;
    });
    if (format === 'xlsx') {
      const sheet = readXlsx(file, { sheet: opts.sheet, headerLine: opts.headerLine });
      try {
        yield* sheet.records;
      } finally {
        const sheetName = sheet.sheet();
        info = await hashOnly(path, 'xlsx', { format, ...(sheetName !== undefined && { sheet: sheetName }) });
      }
      return;
    }
    const decoded = decodeFile(path, { encoding: opts.encoding });
    info = decoded.info;
    yield* parseCsv(decoded.text, {
      delimiter: opts.delimiter,
      headerLine: opts.headerLine,
      reopen: () => decodeFile(path, { encoding: opts.encoding }).text,
    });
  }
  return {
    records: records(),
    info: () => {
      if (!info) throw new Error('readFile: file info is read before the records were consumed');
      return info();
    },
  };
}

async function hashOnly(
  path: FileSource,
  encoding: string,
  extra: Pick<FileInfo, 'format' | 'sheet'>,
): Promise<() => FileInfo> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of path.open() as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  const info: FileInfo = { bytes, sha256: hash.digest('hex'), encoding, bom: false, warnings: [], ...extra };
  return () => info;
}
