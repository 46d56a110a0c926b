/**
 * The case-folded form used for case-insensitive identity and hints (emails, refs, names), computed in JS so
 * that both databases store the same `*_ci` values. NFC first, so that a composed and a decomposed é are one
 * letter; then full case folding: upper-casing before lower-casing makes ß and SS, ſ and s, σ, ς and Σ meet
 * (lower-casing alone keeps ß, and turns a final Σ into ς but a final σ stays σ), and ς is written σ.
 */
export function foldCase(value: string): string {
  // ASCII is its own NFC and has no ß, ſ or ς: lower-casing is all of it (and most of what imports fold).
  if (ASCII.test(value)) return value.toLowerCase();
  return value.normalize('NFC').toUpperCase().toLowerCase().replaceAll('ς', 'σ').normalize('NFC');
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

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

const SHOWN_CHARS = 60;
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A value from a file or request as a message quotes it: in double quotes, control, bidi and zero-width
 * characters escaped (`\u202e`), at most 60 characters with the length of the rest said. A 2 MB header cell
 * must not come back whole in every message.
 */
export function quoted(value: string, max = SHOWN_CHARS): string {
  const chars = [...value];
  const shown = chars.length > max ? chars.slice(0, max).join('') : value;
  const text = JSON.stringify(shown).replace(
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return chars.length > max ? `${text.slice(0, -1)}…" (${chars.length} characters)` : text;
}

/** Caps a message built from values (a safety net where `quoted` was not used). */
export function capped(message: string, max = 1000): string {
  return message.length > max
    ? `${message.slice(0, max)}… (${message.length - max} more characters)`
    : message;
}
