import { z } from 'zod';
import { ErrorBody } from '../../errors.js';

/** A record's integer id (both databases store 32-bit ids; a larger number is a bad request, not a 500). */
export const RecordId = z.coerce.number().int().positive().max(2_147_483_647);

/** The id of a record in the URL; a record of another workspace is answered like a missing one. */
export const IdParams = z.object({ id: RecordId.describe('The record id') });

/** What every list takes: a search text and a window. */
export const ListQuery = z.object({
  q: z.string().max(200).optional().describe('Find records containing this text, in any case'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** One window of a list, with the number of records the whole (searched) list holds. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      total: z.number().int(),
      limit: z.number().int(),
      offset: z.number().int(),
    })
    .meta({ id });
}

/** A trimmed, non-empty string where a name is required. */
export const Name = z.string().trim().min(1, 'must not be empty').max(200);

/** Where a name may be cleared: null (or a blank string) removes it. */
export const OptionalName = z.string().trim().max(200).nullable().optional();

/** The error answers of routes that read one record. */
export const ReadErrors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } as const;

/** The error answers of routes that write. */
export const WriteErrors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
} as const;

/** The answer of a DELETE: no content. */
export const NoContent = z.null().describe('Deleted');
