/** Formatting for people: sizes, dates, counts, and the values of a change. */

const numbers = new Intl.NumberFormat('en');

export const formatNumber = (n: number) => numbers.format(n);

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes)} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export const formatDate = (iso: string) => dateTime.format(new Date(iso));

/** "1 row", "2 rows". */
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatNumber(n)} ${n === 1 ? one : many}`;

/** A field value of a change: blank and null both read as "(empty)". */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/**
 * The engine's hints name CLI flags ("pass --ignore-case"); in the browser the same switch is an option of
 * the form, so say that instead.
 */
export function hintForUi(hint: string): string {
  const said = hint
    .replace(/pass --ignore-case/gi, 'turn on “Accept references that differ only in case” under Options')
    .replace(/pass --encoding ([\w-]+)/gi, 'choose the encoding $1 under Options')
    .replace(/pass --delimiter "([^"]+)"/gi, 'choose the delimiter "$1" under Options')
    .replace(/pass --customer-key (\w+)/gi, 'choose "$1" as the customer key under Options')
    .replace(/pass --header-line \d+/gi, 'choose the header line under Options');
  // Whatever still names a command-line flag is for the CLI: the sentence is left out of the UI.
  return said
    .split(/(?<=[.?!])\s+/)
    .filter((sentence) => !/--[a-z]/.test(sentence))
    .join(' ');
}
