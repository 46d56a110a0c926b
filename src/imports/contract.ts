import { z } from 'zod';
import type { RowStatus as StoredRowStatus, RunStatus as StoredRunStatus } from '../db/schema.js';
import {
  BLANK_MODES,
  ColumnMappingSchema,
  CUSTOMER_KEYS,
  LABEL_MODES,
  type ImportOptions,
} from './import-options.js';
import { KIND_NAMES } from './types.js';
import type { UndoReport as EngineUndoReport } from './undo-import.js';

/**
 * The contract of an import's results, defined once: the engine builds these shapes, the routes answer
 * with them, the OpenAPI document (and from it the web UI's types) describes them.
 */

export const RUN_STATUSES = [
  'queued',
  'running',
  'completed',
  'rejected',
  'failed',
  'interrupted',
  'undone',
] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

export const RUN_PHASES = ['staging', 'planning', 'applying', 'done'] as const;
export const RunPhase = z.enum(RUN_PHASES);
export type RunPhase = z.infer<typeof RunPhase>;

/** What became of a row; `pending` only while a run is under way, so never in a report. */
export const ROW_OUTCOMES = ['created', 'updated', 'unchanged', 'unmatched', 'invalid', 'duplicate'] as const;
export const RowOutcome = z.enum(ROW_OUTCOMES);
export type RowOutcome = z.infer<typeof RowOutcome>;

export const ImportCounts = z.object({
  rowsProcessed: z.number(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  unmatched: z.number(),
  invalid: z.number(),
  duplicates: z.number(),
});
export type ImportCounts = z.infer<typeof ImportCounts>;

/** A row that was not applied, as listed in the report; its other keys are the row's key columns. */
export const RowEntry = z
  .object({
    line: z.number(),
    reason: z.string(),
    column: z.string().optional(),
    message: z.string(),
    hint: z.string().optional(),
  })
  .catchall(z.union([z.string(), z.number()]).optional());
export type RowEntry = z.infer<typeof RowEntry>;

export const Warning = z.object({
  line: z.number(),
  reason: z.string(),
  message: z.string(),
  column: z.string().optional(),
});
export type Warning = z.infer<typeof Warning>;

export const Rejection = z.object({
  reason: z.string(),
  line: z.number().optional(),
  column: z.string().optional(),
  columns: z
    .array(z.object({ name: z.string(), suggestion: z.string().optional(), note: z.string().optional() }))
    .optional()
    .describe('unknown_column: every unknown column, each with its suggestion'),
  message: z.string(),
  hint: z.string().optional(),
  byteOffset: z.number().optional(),
});

/** A run's options as its report shows them (every default filled in; dryRun is the report's own field). */
export const ReportOptions = z.object({
  customerKey: z.enum(CUSTOMER_KEYS),
  ignoreCase: z.boolean(),
  labels: z.enum(LABEL_MODES),
  blank: z.enum(BLANK_MODES),
  encoding: z.string().optional(),
  delimiter: z.string().optional(),
  batchSize: z.number(),
  ignoreUnknown: z.boolean().optional(),
  mapping: ColumnMappingSchema.optional(),
  mappingName: z.string().optional(),
  headerLine: z.number().optional(),
  sheet: z.string().optional(),
});

/** What a run read under another name (header cell → column), and the header cells it left out. */
export const HeaderMapping = z
  .object({ columns: z.record(z.string(), z.string()), leftOut: z.array(z.string()) })
  .meta({ id: 'HeaderMapping' });
export type HeaderMapping = z.infer<typeof HeaderMapping>;

export const ImportReport = z
  .object({
    id: z.string(),
    kind: z.enum(KIND_NAMES),
    workspace: z.string(),
    dryRun: z.boolean(),
    status: RunStatus,
    file: z.object({
      name: z.string(),
      bytes: z.number(),
      sha256: z.string(),
      encoding: z.string(),
      bom: z.boolean(),
      format: z.literal('xlsx').optional().describe('Set for an Excel workbook (encoding is then xlsx)'),
      sheet: z.string().optional().describe('The workbook sheet that was read'),
    }),
    options: ReportOptions,
    counts: ImportCounts,
    unmatched: z.array(RowEntry),
    invalid: z.array(RowEntry),
    warnings: z.array(Warning),
    mapping: HeaderMapping.nullable().describe(
      'Header cells read under another name (cell → column), and the cells left out',
    ),
    rejection: Rejection.nullable(),
    truncated: z
      .object({ unmatched: z.number(), invalid: z.number(), warnings: z.number() })
      .optional()
      .describe('How many entries each list left out; the errors CSV and /rows hold them all'),
    error: z.string().optional(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ImportReport', description: 'The report of SPEC section 4' });

export const UndoReport = z
  .object({
    id: z.string(),
    status: z.literal('undone'),
    restored: z.number(),
    removed: z.number(),
    conflicts: z.array(
      z.object({
        line: z.number(),
        table: z.string(),
        key: z.record(z.string(), z.union([z.string(), z.number()])),
        message: z.string(),
      }),
    ),
    undoneAt: z.string(),
  })
  .meta({ id: 'UndoReport' });

/** One row's outcome as recorded by a run (dry or not), for review row by row. */
export const RowOutcomeEntry = z.object({
  line: z.number(),
  status: z.enum(['pending', ...ROW_OUTCOMES]).describe('pending: not yet decided (the run is under way)'),
  reason: z.string().optional(),
  column: z.string().optional(),
  message: z.string().optional(),
  hint: z.string().optional(),
  /** The row's cells by column, as written (passwords are never kept). */
  values: z.record(z.string(), z.string()).optional(),
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).optional(),
});

// The contract and the stored columns (src/db/schema.ts) must list the same statuses, and the report's
// options must be the options of import-options.ts: each line fails to compile when the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameRunStatus: Same<RunStatus, StoredRunStatus> = true;
const sameRowStatus: Same<RowOutcome | 'pending', StoredRowStatus> = true;
const sameOptions: Same<z.infer<typeof ReportOptions>, Omit<ImportOptions, 'dryRun'>> = true;
// What undo returns must fit the UndoReport answered (its tables are a union there, any string here).
const sameUndo: (report: EngineUndoReport) => z.infer<typeof UndoReport> = (report) => report;
void [sameRunStatus, sameRowStatus, sameOptions, sameUndo];
