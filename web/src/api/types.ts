/** The shapes of the HTTP API's answers that the UI reads (see GET /api/openapi.json). */

export interface Session {
  user: { id: number; email: string; firstName: string | null; lastName: string | null; role: string };
  workspace: { slug: string; name: string };
  csrfToken: string;
  expiresAt: string;
}

export interface Kind {
  name: string;
  summary: string;
  columns: { name: string; required: boolean }[];
  options: ('customerKey' | 'ignoreCase' | 'labels' | 'blank')[];
  template: string;
}

/** The value of each option an upload leaves out. */
export interface OptionDefaults {
  customerKey: 'ref' | 'erp_id' | 'name';
  ignoreCase: boolean;
  labels: 'add' | 'replace';
  blank: 'keep' | 'clear';
  batchSize: number;
}

export type RunStatus = 'queued' | 'running' | 'completed' | 'rejected' | 'failed' | 'interrupted' | 'undone';

export interface Counts {
  rowsProcessed: number;
  created: number;
  updated: number;
  unchanged: number;
  unmatched: number;
  invalid: number;
  duplicates: number;
}

export interface RunSummary {
  id: string;
  kind: string;
  status: RunStatus;
  phase: 'staging' | 'planning' | 'applying' | 'done';
  dryRun: boolean;
  actor: string;
  file: { name: string; bytes: number };
  counts: Counts | null;
  progress: { rowsDone: number; rowsTotal: number };
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  undoneAt: string | null;
  sourceRunId: string | null;
  appliedRunId: string | null;
}

/** An unmatched or invalid row of a report; its other keys are the row's key columns and their values. */
export interface ReportEntry {
  line: number;
  reason: string;
  column?: string;
  message: string;
  hint?: string;
  [column: string]: string | number | undefined;
}

export interface Rejection {
  reason: string;
  line?: number;
  message: string;
  hint?: string;
  byteOffset?: number;
}

export interface Report {
  id: string;
  kind: string;
  dryRun: boolean;
  status: RunStatus;
  file: { name: string; bytes: number; sha256: string; encoding: string; bom: boolean };
  options: ImportOptions & { batchSize: number };
  counts: Counts;
  unmatched: ReportEntry[];
  invalid: ReportEntry[];
  warnings: { line: number; reason: string; message: string; column?: string }[];
  rejection: Rejection | null;
  truncated?: { unmatched: number; invalid: number; warnings: number };
  error?: string;
}

export interface UndoReport {
  id: string;
  status: 'undone';
  restored: number;
  removed: number;
  conflicts: { line: number; table: string; key: Record<string, string | number>; message: string }[];
  undoneAt: string;
}

export interface RunDetail extends RunSummary {
  report: Report | null;
  undo: UndoReport | null;
}

export const ROW_STATUSES = ['created', 'updated', 'unchanged', 'unmatched', 'invalid', 'duplicate'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

export interface RowOutcome {
  line: number;
  status: RowStatus;
  reason?: string;
  column?: string;
  message?: string;
  hint?: string;
  values?: Record<string, string>;
  changes?: Record<string, [unknown, unknown]>;
}

/** The upload form's options (all optional; the server fills in its defaults). */
export interface ImportOptions {
  customerKey?: 'ref' | 'erp_id' | 'name';
  ignoreCase?: boolean;
  labels?: 'add' | 'replace';
  blank?: 'keep' | 'clear';
  encoding?: 'utf-8' | 'windows-1252' | 'latin1' | 'utf-16';
  delimiter?: string;
}

/** Whether a run has stopped moving (so polling can end). */
export function isFinished(run: Pick<RunSummary, 'status'>): boolean {
  return run.status !== 'queued' && run.status !== 'running';
}
