import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
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
export async function detectFormat(path: string): Promise<FileFormat> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, 256));
    await handle.read(head, 0, head.length, 0);
    if (head.subarray(0, 8).equals(OLE)) throw await oleRejection(path);
    if (!head.subarray(0, 4).equals(ZIP)) return 'csv';
    if (head.includes('mimetypeapplication/vnd.oasis.opendocument')) {
      throw unsupported('The file is an OpenDocument spreadsheet (.ods), which Roster does not read.');
    }
    // The ZIP's central directory, at its end, names every entry.
    const tailSize = Math.min(size, 1024 * 1024);
    const tail = Buffer.alloc(tailSize);
    await handle.read(tail, 0, tailSize, size - tailSize);
    if (tail.includes('xl/workbook.xml')) return 'xlsx';
    throw unsupported('The file is a ZIP archive, not an Excel workbook (.xlsx) or a CSV file.');
  } finally {
    await handle.close();
  }
}

/** An OLE compound file is a legacy .xls, or an .xlsx encrypted with a password (its `EncryptedPackage`). */
async function oleRejection(path: string): Promise<FileRejectedError> {
  const marker = Buffer.from('EncryptedPackage', 'utf16le');
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
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
