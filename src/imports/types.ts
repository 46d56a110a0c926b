import type { RunStatus } from '../db/schema.js';
import type { ImportOptions } from './import-options.js';
import type { Rejection } from './stages/rejection.js';

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

/** A row that was not applied, as listed in the report. */
export interface RowEntry {
  line: number;
  reason: string;
  column?: string;
  message: string;
  hint?: string;
  [column: string]: string | number | undefined;
}

export interface Warning {
  line: number;
  reason: string;
  message: string;
  column?: string;
}

export interface ImportCounts {
  rowsProcessed: number;
  created: number;
  updated: number;
  unchanged: number;
  unmatched: number;
  invalid: number;
  duplicates: number;
}

/** The report of SPEC section 4. */
export interface ImportReport {
  id: string;
  kind: KindName;
  workspace: string;
  dryRun: boolean;
  status: RunStatus;
  file: { name: string; bytes: number; sha256: string; encoding: string; bom: boolean };
  options: Omit<ImportOptions, 'dryRun'>;
  counts: ImportCounts;
  unmatched: RowEntry[];
  invalid: RowEntry[];
  warnings: Warning[];
  /** How many entries each list left out when it was capped; the errors CSV always holds them all. */
  truncated?: { unmatched: number; invalid: number; warnings: number };
  rejection: Rejection | null;
  error?: string;
  startedAt: string;
  finishedAt: string | null;
}

/** Progress of a running import, for bars and polling. */
export interface ImportProgress {
  phase: 'staging' | 'planning' | 'applying' | 'done';
  bytesRead?: number;
  bytesTotal?: number;
  rowsDone: number;
  rowsTotal: number;
}
