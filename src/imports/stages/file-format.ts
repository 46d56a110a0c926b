import { fileSource, readBytes, type FileInput, type FileSource } from './file-source.js';
import { FileRejectedError } from './rejection.js';

/** How a file is read: as CSV text, or as an Excel workbook. */
export type FileFormat = 'csv' | 'xlsx';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const SAVE_AS = 'Save it as an Excel workbook (.xlsx) or as “CSV UTF-8”, then import that file.';

/**
 * Tells a workbook from CSV by its content, whatever its name: an `.xlsx` (a ZIP holding `xl/workbook.xml`)
 * is read as a workbook; a legacy `.xls`, an encrypted workbook (both OLE compound files), an `.ods` or any
 * other ZIP is rejected as `unsupported_format`. Anything else is CSV text.
 */
export async function detectFormat(file: FileInput): Promise<FileFormat> {
  const source = fileSource(file);
  const size = await source.size();
  const head = size === 0 ? Buffer.alloc(0) : await readBytes(source, { end: Math.min(size, 256) - 1 });
  if (head.subarray(0, 8).equals(OLE)) throw await oleRejection(source);
  if (!head.subarray(0, 4).equals(ZIP)) return 'csv';
  if (head.includes('mimetypeapplication/vnd.oasis.opendocument')) {
    throw unsupported('The file is an OpenDocument spreadsheet (.ods), which Roster does not read.');
  }
  // The ZIP's central directory, at its end, names every entry.
  const tail = await readBytes(source, { start: Math.max(0, size - 1024 * 1024) });
  if (tail.includes('xl/workbook.xml')) return 'xlsx';
  throw unsupported('The file is a ZIP archive, not an Excel workbook (.xlsx) or a CSV file.');
}

/** An OLE compound file is a legacy .xls, or an .xlsx encrypted with a password (its `EncryptedPackage`). */
async function oleRejection(source: FileSource): Promise<FileRejectedError> {
  const marker = Buffer.from('EncryptedPackage', 'utf16le');
  let carry = Buffer.alloc(0);
  for await (const chunk of source.open() as AsyncIterable<Buffer>) {
    const window = Buffer.concat([carry, chunk]);
    if (window.includes(marker)) {
      return unsupported(
        'The workbook is protected with a password (encrypted), so it cannot be read.',
        'Open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password), ' +
          'and save it as .xlsx or “CSV UTF-8”.',
      );
    }
    carry = window.subarray(Math.max(0, window.length - marker.length));
  }
  return unsupported('The file is a legacy Excel 97–2003 workbook (.xls), which Roster does not read.');
}

function unsupported(message: string, hint = SAVE_AS): FileRejectedError {
  return new FileRejectedError({ reason: 'unsupported_format', line: 1, message, hint });
}
