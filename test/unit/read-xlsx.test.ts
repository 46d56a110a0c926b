import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
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
