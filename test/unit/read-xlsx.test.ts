import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { FileSource } from '../../src/imports/stages/file-source.js';
import { cellText, numberText, readXlsx } from '../../src/imports/stages/read-xlsx.js';
import { writeBigXlsx } from '../support/xlsx.js';

describe('the text of an Excel cell (SPEC section 8)', () => {
  it('gives a number the shortest decimal a person sees, never binary noise or an exponent', () => {
    expect(numberText(0.1 + 0.2)).toBe('0.3');
    expect(numberText(1.1 * 3)).toBe('3.3');
    expect(numberText(1 / 3)).toBe('0.333333333333333');
    expect(numberText(2.5)).toBe('2.5');
    expect(numberText(-17)).toBe('-17');
    expect(numberText(-0)).toBe('0');
    // Phone numbers and ids typed as numbers: up to 15 digits survive whole, without an exponent.
    expect(numberText(442079460000123)).toBe('442079460000123');
    expect(numberText(123456789012345)).toBe('123456789012345');
    expect(numberText(1e15)).toBe('1000000000000000');
    expect(numberText(1e21)).toBe('1000000000000000000000');
    expect(numberText(0.0000001)).toBe('0.0000001');
    expect(numberText(1234567890 + 0.123456789)).toBe('1234567890.12346');
  });

  it('gives a date YYYY-MM-DD, with the time only when it has one', () => {
    expect(cellText(new Date(Date.UTC(2024, 1, 29)))).toBe('2024-02-29');
    expect(cellText(new Date(Date.UTC(1900, 0, 1)))).toBe('1900-01-01');
    expect(cellText(new Date(Date.UTC(2024, 11, 31, 13, 45)))).toBe('2024-12-31 13:45');
    expect(cellText(new Date(Date.UTC(2024, 11, 31, 13, 45, 7)))).toBe('2024-12-31 13:45:07');
    // Excel keeps times as fractions of a day: a hair below midnight is midnight, not 23:59:59.
    expect(cellText(new Date(Date.UTC(2024, 0, 2) - 0.4))).toBe('2024-01-02');
  });

  it('gives booleans, formulas, rich text, links and errors as they show', () => {
    expect(cellText(true)).toBe('true');
    expect(cellText(false)).toBe('false');
    expect(cellText({ formula: '0.1+0.2', result: 0.30000000000000004 })).toBe('0.3');
    expect(cellText({ formula: 'TODAY()', result: new Date(Date.UTC(2024, 4, 1)) })).toBe('2024-05-01');
    expect(cellText({ formula: 'A1', result: undefined } as never)).toBe('');
    expect(cellText({ richText: [{ text: 'Ada ' }, { text: 'Lovelace' }] })).toBe('Ada Lovelace');
    expect(cellText({ text: 'ada@example.com', hyperlink: 'mailto:ada@example.com' })).toBe(
      'ada@example.com',
    );
    expect(cellText({ error: '#N/A' })).toBe('#N/A');
    expect(cellText(null)).toBe('');
  });
});

describe('reading a big sheet', () => {
  it('streams a 100,000-row sheet row by row, line numbers the sheet’s rows (memory: bench/xlsx-readers.js)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-xlsx-'));
    try {
      const file = path.join(dir, 'big.xlsx');
      await writeBigXlsx(file, 100_000);
      let rows = 0;
      let last: { line: number; cells: string[] } | undefined;
      for await (const record of readXlsx(file).records) {
        if (rows === 1)
          expect(record).toEqual({ line: 2, cells: ['person1@example.com', 'First1', 'Last1'] });
        rows++;
        last = record;
      }
      expect(rows).toBe(100_001);
      expect(last).toEqual({
        line: 100_001,
        cells: ['person100000@example.com', 'First100000', 'Last100000'],
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading a workbook by its parts', () => {
  const rowsOf = async (file: string | FileSource, sheet?: string) => {
    const read = readXlsx(file, { sheet });
    const rows: string[] = [];
    for await (const record of read.records) rows.push(`${record.line}:${record.cells.join('|')}`);
    return { sheet: read.sheet(), rows };
  };

  /**
   * A workbook whose zip stores its parts in the reverse of the usual order: the sheet list after the sheets,
   * and `Later` (second tab) stored before `Front` (first tab).
   */
  async function reordered(dir: string): Promise<string> {
    const workbook = new ExcelJS.Workbook();
    const later = workbook.addWorksheet('Later');
    later.addRow(['email']);
    later.addRow(['later@example.com']);
    const front = workbook.addWorksheet('Front');
    front.addRow(['email']);
    front.addRow(['front@example.com']);
    (later as ExcelJS.Worksheet & { orderNo: number }).orderNo = 1; // exceljs writes the tabs in this order
    (front as ExcelJS.Worksheet & { orderNo: number }).orderNo = 0;
    const written = await JSZip.loadAsync(await workbook.xlsx.writeBuffer());
    const names = Object.keys(written.files).reverse();
    expect(names.indexOf('xl/worksheets/sheet1.xml')).toBeLessThan(names.indexOf('xl/worksheets/sheet2.xml'));
    const zip = new JSZip();
    for (const name of names) {
      const entry = written.files[name]!;
      if (!entry.dir) zip.file(name, await entry.async('nodebuffer'));
    }
    const file = path.join(dir, 'tabs.xlsx');
    fs.writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    return file;
  }

  it('reads the first sheet in tab order, not the first the zip stores, and any sheet by name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-xlsx-'));
    try {
      const file = await reordered(dir);
      expect(await rowsOf(file)).toEqual({ sheet: 'Front', rows: ['1:email', '2:front@example.com'] });
      expect(await rowsOf(file, 'Later')).toEqual({
        sheet: 'Later',
        rows: ['1:email', '2:later@example.com'],
      });
      await expect(rowsOf(file, 'Nope')).rejects.toThrow('no sheet "Nope". Its sheets: "Front", "Later".');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads from a source of byte ranges, as an upload kept in the database is read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-xlsx-'));
    try {
      const bytes = fs.readFileSync(await reordered(dir));
      const ranges: string[] = [];
      const source: FileSource = {
        size: async () => bytes.length,
        open: ({ start = 0, end = bytes.length - 1 } = {}) => {
          ranges.push(`${start}-${end}`);
          const part = bytes.subarray(start, end + 1);
          // 7-byte chunks: every part of the zip is read across chunk boundaries.
          return Readable.from(
            Array.from({ length: Math.ceil(part.length / 7) }, (_, i) => part.subarray(i * 7, i * 7 + 7)),
          );
        },
      };
      expect(await rowsOf(source, 'Later')).toEqual({
        sheet: 'Later',
        rows: ['1:email', '2:later@example.com'],
      });
      expect(ranges.length).toBeGreaterThan(1); // the central directory first, then each part read
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a zip that is not a workbook, and a truncated workbook, as unsupported_format', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-xlsx-'));
    try {
      const bytes = fs.readFileSync(await reordered(dir));
      const truncated = path.join(dir, 'truncated.xlsx');
      fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
      await expect(rowsOf(truncated)).rejects.toMatchObject({ rejection: { reason: 'unsupported_format' } });
      const workbook = new ExcelJS.Workbook();
      workbook.addWorksheet('S').addRow(['email']);
      const noBook = path.join(dir, 'nobook.xlsx');
      // The same zip with its workbook part renamed: the sheet list is gone.
      const written = Buffer.from(await workbook.xlsx.writeBuffer());
      fs.writeFileSync(
        noBook,
        Buffer.from(written.toString('latin1').replaceAll('xl/workbook.xml', 'xl/workbooc.xml'), 'latin1'),
      );
      await expect(rowsOf(noBook)).rejects.toMatchObject({
        rejection: {
          reason: 'unsupported_format',
          message: 'The workbook could not be read: it has no xl/workbook.xml.',
        },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
