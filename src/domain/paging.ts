import { sql, type Expression, type RawBuilder } from 'kysely';
import { foldCase } from './text.js';

/** What a list asks for: an optional search text and a window. */
export interface PageQuery {
  q?: string;
  limit: number;
  offset: number;
}

/** One window of a list, with the number of records the whole list holds. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The search text folded and trimmed, or undefined when there is nothing to search for. */
export function searchText(q: string | undefined): string | undefined {
  const folded = q === undefined ? '' : foldCase(q.trim());
  return folded === '' ? undefined : folded;
}

/**
 * `expr` contains `folded` (already case-folded, see searchText): a LIKE with `%` and `_` escaped, the same
 * on both databases. Compare it with case-folded columns only.
 */
export function contains(
  expr: Expression<unknown> | RawBuilder<unknown>,
  folded: string,
): RawBuilder<boolean> {
  const pattern = `%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`${expr} LIKE ${pattern} ESCAPE '\\'`;
}

/** "1 contact", "3 contacts". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
