/** The case-folded form used for case-insensitive identity and hints (emails, refs, names). */
export function foldCase(value: string): string {
  return value.toLowerCase();
}

/** The current time as stored in the database. */
export function now(): string {
  return new Date().toISOString();
}

/** Compares strings in code-point order (as SQLite's BINARY and PostgreSQL's "C" collation sort them). */
export function byCodePoint(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
