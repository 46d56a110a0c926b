/** The case-folded form used for case-insensitive identity and hints (emails, refs, names). */
export function foldCase(value: string): string {
  return value.toLowerCase();
}

/** The current time as stored in the database. */
export function now(): string {
  return new Date().toISOString();
}
