export const KIND_NAMES = [
  'customers',
  'contacts',
  'positions',
  'mark-primary',
  'unmark-primary',
  'persons',
  'users',
] as const;
export type KindName = (typeof KIND_NAMES)[number];

// The report and its parts are defined once, as the zod schemas of the API contract.
export type { HeaderMapping, ImportCounts, RowEntry, Warning } from './contract.js';
export type { ColumnMapping } from './import-options.js';
import type { ImportReport as ImportReportSchema } from './contract.js';
import type { z } from 'zod';

/** The report of SPEC section 4. */
export type ImportReport = z.infer<typeof ImportReportSchema>;

/** Progress of a running import, for bars and polling. */
export interface ImportProgress {
  phase: 'staging' | 'planning' | 'applying' | 'done';
  bytesRead?: number;
  bytesTotal?: number;
  rowsDone: number;
  rowsTotal: number;
}
