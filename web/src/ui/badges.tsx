import type { RowOutcome, RunStatus, RunSummary } from '../api/types';

const RUN_LABELS: Record<RunStatus, string> = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  rejected: 'rejected',
  failed: 'failed',
  interrupted: 'interrupted',
  undone: 'undone',
};

/** A run's status, and "dry run" when it changed nothing by design. */
export function RunStatusBadge({ run }: { run: Pick<RunSummary, 'status' | 'dryRun'> }) {
  return (
    <span className="badges">
      <span className={`badge run-${run.status}`}>{RUN_LABELS[run.status]}</span>
      {run.dryRun ? <span className="badge dry">dry run</span> : null}
    </span>
  );
}

const OUTCOME_LABELS: Record<RowOutcome['status'], [future: string, past: string]> = {
  pending: ['pending', 'pending'],
  created: ['create', 'created'],
  updated: ['update', 'updated'],
  unchanged: ['unchanged', 'unchanged'],
  unmatched: ['unmatched', 'unmatched'],
  invalid: ['invalid', 'invalid'],
  duplicate: ['duplicate', 'duplicate'],
};

/** What happens (dry run) or happened to one row. */
export function outcomeLabel(status: RowOutcome['status'], dryRun: boolean): string {
  return OUTCOME_LABELS[status][dryRun ? 0 : 1];
}

export function OutcomeBadge({ status, dryRun }: { status: RowOutcome['status']; dryRun: boolean }) {
  return <span className={`badge outcome-${status}`}>{outcomeLabel(status, dryRun)}</span>;
}
