import type { RunSummary } from '../api/types';
import { formatNumber } from '../ui/format';

const PHASES: Record<RunSummary['phase'], string> = {
  staging: 'Reading and checking the file',
  planning: 'Matching the rows to the records',
  applying: 'Applying',
  done: 'Finishing',
};

/** Rows done of total with a bar, announced politely to screen readers as it moves. */
export function RunProgress({ run, label }: { run: RunSummary; label?: string }) {
  const { rowsDone, rowsTotal } = run.progress;
  // A dry run applies nothing: it works out what each row would do.
  const phase =
    run.status === 'queued'
      ? 'Waiting for its turn'
      : run.dryRun && run.phase === 'applying'
        ? 'Working out what each row would do'
        : PHASES[run.phase];
  // Rows are counted while they are applied; before that, only how many were read is known.
  const known = rowsTotal > 0 && (run.phase === 'applying' || run.phase === 'done');
  const percent = known ? Math.floor((rowsDone / rowsTotal) * 100) : null;
  return (
    <div className="progress">
      <p role="status" aria-live="polite">
        {label ? `${label}: ` : ''}
        {phase}
        {known ? ` — ${formatNumber(rowsDone)} of ${formatNumber(rowsTotal)} rows (${percent}%)` : ''}
        {!known && rowsTotal > 0 ? ` — ${formatNumber(rowsTotal)} rows read` : ''}…
      </p>
      {known ? (
        <progress max={rowsTotal} value={rowsDone} aria-label="Rows done" />
      ) : (
        <progress aria-label="Working" />
      )}
    </div>
  );
}
