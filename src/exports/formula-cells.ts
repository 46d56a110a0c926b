// A cell a spreadsheet runs as a formula: it starts with = + - @ tab or CR, after any number of `'`. The `'`s
// count too: `'=1+2` is exported as `''=1+2`, else the import would strip its `'` and read a formula.
const FORMULA = /^'*[=+\-@\t\r]/;

/**
 * Neutralises a cell of an exported or errors CSV with a leading `'`; `unneutralise` (what the import reads)
 * takes exactly that `'` off again, so every value survives export → import unchanged.
 */
export function neutralise(cell: string): string {
  return FORMULA.test(cell) ? `'${cell}` : cell;
}

/** The value of a cell that `neutralise` wrote: `'=1+2` reads back as `=1+2`, `''=1+2` as `'=1+2`. */
export function unneutralise(cell: string): string {
  return cell.startsWith("'") && FORMULA.test(cell.slice(1)) ? cell.slice(1) : cell;
}
