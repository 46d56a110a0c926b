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

/**
 * The total of a list whose window `items` holds: counted only when the window does not show it. A window
 * shorter than the limit ends the list, so a search that finds a few records reads the table once, not
 * twice (its count would scan everything the search just scanned).
 */
export async function totalOf(
  items: readonly unknown[],
  query: PageQuery,
  count: () => Promise<number | string | bigint>,
): Promise<number> {
  if (items.length < query.limit && (items.length > 0 || query.offset === 0))
    return query.offset + items.length;
  return Number(await count());
}

/** "1 contact", "3 contacts". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
