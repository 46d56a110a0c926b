import { useState } from 'react';
import { ApiError } from '../api/client';
import { isFinished, type Session, type UndoReport } from '../api/types';
import { ApplyPanel } from '../imports/apply-panel';
import { CountsList } from '../imports/counts';
import { FileCheck } from '../imports/file-check';
import { Problems } from '../imports/problems';
import { RowEffects } from '../imports/row-effects';
import { RunProgress } from '../imports/run-progress';
import { UndoAction, UndoReportView } from '../imports/undo';
import { useRun } from '../imports/use-run';
import { RunStatusBadge } from '../ui/badges';
import { ErrorMessage } from '../ui/error-message';
import { formatBytes, formatDate } from '../ui/format';
import { PageTitle } from '../ui/page-title';
import { Link } from '../ui/router';
import { canUndo } from '../data/roles';

/** One import: live progress while it runs, then its report; undo for a completed run. */
export function RunPage({ id, session }: { id: string; session: Session }) {
  const { run, error, reload } = useRun(id);
  const [undone, setUndone] = useState<UndoReport | null>(null);
  const title = run ? `Import of ${run.file.name}` : 'Import';
  const report = run && isFinished(run) ? run.report : null;
  const undo = run?.undo ?? undone;
  return (
    <>
      <PageTitle title={title} />
      {error ? <ErrorMessage error={error} /> : null}
      {!run && !error ? <p>Loading…</p> : null}
      {run ? (
        <>
          <p className="run-meta">
            <RunStatusBadge run={run} /> <span className="kind-tag">{run.kind}</span> ·{' '}
            {formatBytes(run.file.bytes)} · started {formatDate(run.startedAt)} by {run.actor}
            {run.finishedAt ? ` · finished ${formatDate(run.finishedAt)}` : ''}
          </p>
          {run.sourceRunId ? (
            <p className="muted">
              Applies the dry run <Link to={`/imports/${run.sourceRunId}`}>reviewed before</Link>.
            </p>
          ) : null}
          {!isFinished(run) ? <RunProgress run={run} label={run.dryRun ? 'Checking' : 'Importing'} /> : null}
          {run.status === 'failed' || run.status === 'interrupted' ? (
            <ErrorMessage
              error={
                new ApiError(
                  0,
                  run.status,
                  run.error ?? `The import was ${run.status}.`,
                  run.status === 'interrupted'
                    ? 'Batches that committed stay applied; `roster imports resume ID` finishes it.'
                    : undefined,
                )
              }
              title={`The import ${run.status}.`}
            />
          ) : null}
          {report ? (
            <>
              {report.rejection ? <FileCheck report={report} /> : null}
              {!report.rejection ? (
                <section className="result" aria-labelledby="result-title">
                  <h2 id="result-title">
                    {run.dryRun ? 'What would happen (dry run: nothing was changed)' : 'Result'}
                  </h2>
                  <CountsList counts={report.counts} dryRun={run.dryRun} />
                </section>
              ) : null}
              <Problems report={report} />
              {run.status === 'completed' && !run.dryRun && !canUndo(session, run) ? (
                <p className="muted">Only an admin or {run.actor} can undo this import.</p>
              ) : null}
              {run.status === 'completed' && !run.dryRun && canUndo(session, run) ? (
                <section className="undo" aria-labelledby="undo-title">
                  <h2 id="undo-title">Undo</h2>
                  <p>Puts back every record this import changed, unless it changed again since.</p>
                  <UndoAction
                    run={run}
                    onUndone={(r) => {
                      setUndone(r);
                      reload();
                    }}
                  />
                </section>
              ) : null}
              {undo ? <UndoReportView undo={undo} /> : null}
              {run.dryRun ? <ApplyPanel run={run} workspace={session.workspace.name} /> : null}
              {!report.rejection && report.warnings.length > 0 ? <FileCheck report={report} /> : null}
              {!report.rejection && report.counts.rowsProcessed > 0 ? (
                <RowEffects runId={run.id} counts={report.counts} dryRun={run.dryRun} />
              ) : null}
            </>
          ) : null}
          <p>
            <Link to="/imports">All imports</Link> · <Link to="/">New import</Link>
          </p>
        </>
      ) : null}
    </>
  );
}
