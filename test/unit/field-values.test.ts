import { describe, expect, it } from 'vitest';
import { checkFieldValue } from '../../src/domain/field-values.js';

describe('checkFieldValue', () => {
  it('stores numbers as plain decimals without redundant zeros', () => {
    const cases: [string, string][] = [
      ['-12.5', '-12.5'],
      ['0012.500', '12.5'],
      ['7.0', '7'],
      ['-0.0', '0'],
      ['0.05', '0.05'],
      ['100', '100'],
    ];
    for (const [given, stored] of cases) expect(checkFieldValue('number', given, 'n')).toBe(stored);
  });

  it('refuses numbers with a comma, thousands separators, exponents or a lone dot', () => {
    for (const value of ['1,5', '1 000', '1e3', '.5', '5.', '+5', 'abc', '--1']) {
      expect(checkFieldValue('number', value, 'amount')).toMatchObject({
        reason: 'invalid_number',
        column: 'amount',
      });
    }
  });

  it('reads true and false in any case', () => {
    expect(checkFieldValue('boolean', 'TRUE', 'b')).toBe('true');
    expect(checkFieldValue('boolean', 'False', 'b')).toBe('false');
    expect(checkFieldValue('boolean', 'yes', 'b')).toMatchObject({ reason: 'invalid_boolean', column: 'b' });
  });

  it('accepts real calendar dates as YYYY-MM-DD only', () => {
    for (const value of ['2024-02-29', '2000-02-29', '1999-12-31']) {
      expect(checkFieldValue('date', value, 'd')).toBe(value);
    }
    for (const value of ['2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-1-01', '01/02/2024']) {
      expect(checkFieldValue('date', value, 'd')).toMatchObject({ reason: 'invalid_date', column: 'd' });
    }
  });

  it('keeps text as written', () => {
    expect(checkFieldValue('text', '=1+2', 't')).toBe('=1+2');
  });
});
