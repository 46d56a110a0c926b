/**
 * Something wrong with one value or row: data, never an exception. The value checks of the domain return
 * it; an import stores it with its row, the API turns it into an `invalid_request`.
 */
export interface RowProblem {
  reason: string;
  column?: string;
  message: string;
  hint?: string;
}

export function isProblem(value: unknown): value is RowProblem {
  return typeof value === 'object' && value !== null && 'reason' in value;
}

export function missing(column: string): RowProblem {
  return { reason: 'missing_value', column, message: `${column} is empty.`, hint: `Fill in ${column}.` };
}
