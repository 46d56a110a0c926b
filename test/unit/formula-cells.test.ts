import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutralise, unneutralise } from '../../src/exports/formula-cells.js';

/** Strings that start with what matters here more often than random ones would: quotes and formula signs. */
const cellText = fc
  .tuple(
    fc.array(fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', ' ', 'a'), { maxLength: 4 }),
    fc.string({ unit: 'grapheme' }),
  )
  .map(([start, rest]) => start.join('') + rest);

describe('formula cells', () => {
  it.each([
    ['=1+2', "'=1+2"],
    ["'=1+2", "''=1+2"],
    ["''@SUM(A1)", "'''@SUM(A1)"],
    ["'plain", "'plain"],
    ['-5', "'-5"],
    ['plain', 'plain'],
  ])('exports %j as %j and reads it back unchanged', (value, cell) => {
    expect(neutralise(value)).toBe(cell);
    expect(unneutralise(cell)).toBe(value);
  });

  // Values are stored trimmed (imports and the API trim them), so those are the ones to survive.
  it('reads back every neutralised value unchanged, after the import trims the cell', () => {
    fc.assert(
      fc.property(cellText, (value) => {
        fc.pre(value.trim() === value);
        expect(unneutralise(neutralise(value).trim())).toBe(value);
      }),
      { seed: 20261201, numRuns: 2000 },
    );
  });

  it('never leaves a cell that a spreadsheet would run as a formula', () => {
    fc.assert(
      fc.property(cellText, (value) => {
        expect(neutralise(value)).not.toMatch(/^[=+\-@\t\r]/);
      }),
      { seed: 20261201, numRuns: 2000 },
    );
  });
});
