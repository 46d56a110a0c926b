import ExcelJS from 'exceljs';
import { writeCsv } from './factories.js';

export type SheetRows = (ExcelJS.CellValue | undefined)[][];

/**
 * Writes a workbook with exceljs (so test files are made, not committed) and returns its path. Each sheet is
 * its rows from row 1; `undefined` leaves a cell empty, an empty array leaves a row empty. `dates` formats
 * Date cells as dates, as Excel does when a date is typed.
 */
export async function writeXlsx(sheets: Record<string, SheetRows>, name = 'book.xlsx'): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  for (const [sheetName, rows] of Object.entries(sheets)) {
    const sheet = workbook.addWorksheet(sheetName);
    rows.forEach((cells, r) => {
      cells.forEach((value, c) => {
        if (value === undefined) return;
        const cell = sheet.getCell(r + 1, c + 1);
        cell.value = value;
        if (value instanceof Date) cell.numFmt = 'yyyy-mm-dd';
      });
    });
  }
  const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
  return writeCsv(buffer, name);
}

/** A big sheet written with exceljs's streaming writer (memory stays flat while it is written). */
export async function writeBigXlsx(path: string, rows: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
    useStyles: true,
  });
  const sheet = workbook.addWorksheet('Contacts');
  sheet.addRow(['email', 'first_name', 'last_name']).commit();
  for (let i = 1; i <= rows; i++) sheet.addRow([`person${i}@example.com`, `First${i}`, `Last${i}`]).commit();
  sheet.commit();
  await workbook.commit();
}
