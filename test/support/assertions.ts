import { expect } from 'vitest';
import type { ImportReport } from '../../src/imports/types.js';

/** Every data row lands in exactly one count. */
export function expectCountsAddUp(report: ImportReport): void {
  const c = report.counts;
  expect(c.created + c.updated + c.unchanged + c.unmatched + c.invalid + c.duplicates).toBe(c.rowsProcessed);
}

/** The reason of the unmatched or invalid entry on a line. */
export function reasonAt(report: ImportReport, line: number): string | undefined {
  return [...report.unmatched, ...report.invalid].find((e) => e.line === line)?.reason;
}
