import { describe, expect, it } from 'vitest';
import { foldCase } from '../../src/domain/text.js';

/** The full fold, as foldCase does it for any string that is not ASCII. */
const fullFold = (v: string) =>
  v.normalize('NFC').toUpperCase().toLowerCase().replaceAll('ς', 'σ').normalize('NFC');

describe('foldCase', () => {
  it('folds every ASCII character as the full fold does', () => {
    const ascii = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('');
    expect(foldCase(ascii)).toBe(fullFold(ascii));
    for (const s of ['John.Doe@Example.COM', 'CUST001', '', ' Mixed Case 42 ', 'a\u0000b\u007f'])
      expect(foldCase(s)).toBe(fullFold(s));
  });

  it('makes ß and SS, final and inner sigma, composed and decomposed letters one', () => {
    expect(foldCase('STRASSE')).toBe(foldCase('Straße'));
    expect(foldCase('ΟΔΟΣ')).toBe(foldCase('οδος'));
    expect(foldCase('οδος')).toBe('οδοσ');
    expect(foldCase('Jose\u0301')).toBe(foldCase('José'));
    expect(foldCase('ſ')).toBe('s');
  });
});
