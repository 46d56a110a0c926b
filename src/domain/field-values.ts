import type { FieldType } from '../db/schema.js';
import { isProblem, type RowProblem } from './row-problem.js';
import { quoted } from './text.js';

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks a (non-blank) custom field value against the field's type and returns it in its stored form:
 * text as written; numbers as plain decimals without redundant zeros (`007.50` → `7.5`, `-0` → `0`, so a
 * value compares equal however it was written); booleans `true`/`false`; dates `YYYY-MM-DD` as written.
 */
export function checkFieldValue(type: FieldType, value: string, column: string): string | RowProblem {
  switch (type) {
    case 'text':
      return value;
    case 'number':
      return canonicalNumber(value) ?? problem('invalid_number', column, value, 'a number', NUMBER_HINT);
    case 'boolean': {
      const flag = checkBoolean(value, column);
      return isProblem(flag) ? flag : flag === 1 ? 'true' : 'false';
    }
    case 'date':
      return isCalendarDate(value) ? value : problem('invalid_date', column, value, 'a date', DATE_HINT);
  }
}

/** `true`/`false` in any case, blank as null; anything else a problem. */
export function checkBoolean(value: string, column: string): 0 | 1 | null | RowProblem {
  if (value === '') return null;
  const folded = value.toLowerCase();
  if (folded === 'true') return 1;
  if (folded === 'false') return 0;
  return {
    reason: 'invalid_boolean',
    column,
    message: `${quoted(value)} in ${column} is not true or false.`,
    hint: 'Write true or false (any case), or leave the cell blank to keep the current value.',
  };
}

const NUMBER_HINT =
  'Write a plain decimal number with "." for decimals and no thousands separators, e.g. -12.5.';
const DATE_HINT = 'Write a real calendar date as YYYY-MM-DD, e.g. 2024-02-29.';

function problem(reason: string, column: string, value: string, what: string, hint: string): RowProblem {
  return { reason, column, message: `${quoted(value)} in ${column} is not ${what}.`, hint };
}

function canonicalNumber(value: string): string | undefined {
  const match = NUMBER.exec(value);
  if (!match) return undefined;
  const whole = match[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const digits = fraction ? `${whole}.${fraction}` : whole;
  return match[1] && digits !== '0' ? `-${digits}` : digits;
}

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}
