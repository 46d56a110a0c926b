import { useEffect, useId, useRef, useState } from 'react';
import { errorOf, type ApiError } from '../api/client';
import { listRows, undoRun } from '../api/roster';
import type { RowOutcome, RunDetail, UndoReport } from '../api/types';
import { ErrorMessage } from '../ui/error-message';
import { formatDate, formatValue, plural } from '../ui/format';

const PREVIEW = 20;

/** The undo button, and the confirmation that says what will be put back before anything is. */
export function UndoAction({ run, onUndone }: { run: RunDetail; onUndone: (report: UndoReport) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<RowOutcome[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const counts = run.counts;

  useEffect(() => {
    if (!open) return;
    dialog.current?.showModal();
    let stale = false;
    Promise.all([
      listRows(run.id, { status: 'updated', limit: PREVIEW }),
      listRows(run.id, { status: 'created', limit: PREVIEW }),
    ]).then(
      ([updated, created]) => !stale && setPreview([...updated.items, ...created.items].slice(0, PREVIEW)),
      () => !stale && setPreview([]),
    );
    return () => {
      stale = true;
    };
  }, [open, run.id]);

  const close = () => {
    dialog.current?.close();
    setOpen(false);
    setPreview(null);
    setError(null);
  };
  const confirm = async () => {
    setBusy(true);
    try {
      const report = await undoRun(run.id);
      close();
      onUndone(report);
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };

  const changed = (counts?.updated ?? 0) + (counts?.created ?? 0);
  return (
    <>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Undo this import…
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} onClose={() => setOpen(false)} className="confirm">
        {open ? (
          <div>
            <h2 id={titleId}>Undo the import of {run.file.name}?</h2>
            <p>
              It ran on {formatDate(run.startedAt)} by {run.actor}.
              {changed > 0 ? ' Undo puts back what it changed:' : ''}
            </p>
            {changed > 0 ? (
              <ul>
                {counts?.updated ? (
                  <li>
                    {plural(counts.updated, 'updated record')} {counts.updated === 1 ? 'goes' : 'go'} back to{' '}
                    {counts.updated === 1 ? 'its values' : 'their values'} from before the import
                  </li>
                ) : null}
                {counts?.created ? (
                  <li>
                    {plural(counts.created, 'created record')} {counts.created === 1 ? 'is' : 'are'} removed
                  </li>
                ) : null}
              </ul>
            ) : (
              <p>It changed no record, so nothing is put back; the import is only marked undone.</p>
            )}
            {changed > 0 ? <RestorePreview rows={preview} more={changed - (preview?.length ?? 0)} /> : null}
            <p>
              A record that changed again after this import is not overwritten: it is kept as it is and listed
              in the undo report.
            </p>
            {error ? <ErrorMessage error={error} title="Nothing was undone." /> : null}
            <div className="actions">
              <button type="button" className="danger" onClick={() => void confirm()} disabled={busy}>
                {busy ? 'Undoing…' : 'Undo the import'}
              </button>
              <button type="button" onClick={close} autoFocus>
                Keep it
              </button>
            </div>
          </div>
        ) : null}
      </dialog>
    </>
  );
}

function RestorePreview({ rows, more }: { rows: RowOutcome[] | null; more: number }) {
  if (!rows) return <p>Loading what will be restored…</p>;
  return (
    <>
      <h3>
        {rows.some((r) => r.status === 'created')
          ? rows.some((r) => r.status !== 'created')
            ? 'What will be restored or removed'
            : 'What will be removed'
          : 'What will be restored'}
      </h3>
      <ul className="restore">
        {rows.map((row) => (
          <li key={row.line}>
            Line {row.line} ({Object.values(row.values ?? {}).join(', ')}):{' '}
            {row.status === 'created'
              ? 'the record it created is removed'
              : Object.entries(row.changes ?? {})
                  .map(
                    ([field, [before, after]]) =>
                      `${field} back to ${formatValue(before)} (now ${formatValue(after)})`,
                  )
                  .join('; ')}
          </li>
        ))}
      </ul>
      {more > 0 ? <p className="muted">…and {plural(more, 'more row')}.</p> : null}
    </>
  );
}

/** What undo put back, and the records it left alone because they changed since. */
export function UndoReportView({ undo }: { undo: UndoReport }) {
  const id = useId();
  return (
    <section className="undo-report" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Undo report</h2>
      <p role="status">
        Undone on {formatDate(undo.undoneAt)}: {plural(undo.restored, 'record')} restored,{' '}
        {plural(undo.removed, 'record')} removed.
      </p>
      {undo.conflicts.length === 0 ? (
        <p className="ok">No conflicts: everything this import changed was put back.</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby={id} tabIndex={0}>
          <table>
            <caption id={id}>
              {plural(undo.conflicts.length, 'conflict')}: changed again after the import, left as they are
            </caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Record</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody>
              {undo.conflicts.map((c, i) => (
                <tr key={i}>
                  <td className="num">{c.line}</td>
                  <td>
                    {c.table}:{' '}
                    {Object.entries(c.key)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(', ')}
                  </td>
                  <td>{c.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
