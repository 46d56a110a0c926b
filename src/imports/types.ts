import type { RunStatus } from '../db/schema.js';
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

export const CUSTOMER_KEYS = ['ref', 'erp_id', 'name'] as const;
export type CustomerKey = (typeof CUSTOMER_KEYS)[number];

export const ENCODINGS = ['utf-8', 'windows-1252', 'latin1', 'utf-16'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** The options of one import run (SPEC section 5), as given on the CLI or the API. */
export interface ImportOptions {
  dryRun: boolean;
  customerKey: CustomerKey;
  ignoreCase: boolean;
  labels: 'add' | 'replace';
  blank: 'keep' | 'clear';
  encoding?: Encoding;
  delimiter?: string;
  batchSize: number;
}

export const DEFAULT_OPTIONS: ImportOptions = Object.freeze({
  dryRun: false,
  customerKey: 'ref',
  ignoreCase: false,
  labels: 'add',
  blank: 'keep',
  batchSize: 1000,
});

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
