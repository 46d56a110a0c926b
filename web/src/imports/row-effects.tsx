import { useEffect, useId, useState } from 'react';
import { errorOf, type ApiError } from '../api/client';
import { listRows } from '../api/roster';
import { ROW_STATUSES, type Counts, type RowOutcome, type RowStatus } from '../api/types';
import { OutcomeBadge, outcomeLabel } from '../ui/badges';
import { ErrorMessage } from '../ui/error-message';
import { formatNumber, formatValue, hintForUi } from '../ui/format';

const PAGE = 100;
type Filter = RowStatus | 'all';

const countOf = (counts: Counts, status: RowStatus) =>
  status === 'duplicate' ? counts.duplicates : counts[status];

interface Page {
  key: string;
  items: RowOutcome[];
  nextAfter: number | null;
  error?: ApiError;
}

/** Row by row: what happens to each row, filterable by outcome; an update shows each field before → after. */
export function RowEffects({ runId, counts, dryRun }: { runId: string; counts: Counts; dryRun: boolean }) {
  const [filter, setFilter] = useState<Filter>('all');
  const [page, setPage] = useState<Page | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const captionId = useId();
  const key = `${runId}:${filter}`;
  const status = filter === 'all' ? undefined : filter;

  useEffect(() => {
    let stale = false;
    listRows(runId, { status, limit: PAGE }).then(
      (r) => !stale && setPage({ key, items: r.items, nextAfter: r.nextAfter }),
      (err: unknown) => !stale && setPage({ key, items: [], nextAfter: null, error: errorOf(err) }),
    );
    return () => {
      stale = true;
    };
  }, [runId, status, key]);

  const current = page?.key === key ? page : null;
  const showMore = async () => {
    if (!current?.nextAfter) return;
    setLoadingMore(true);
    try {
      const r = await listRows(runId, { status, after: current.nextAfter, limit: PAGE });
      setPage({ key, items: [...current.items, ...r.items], nextAfter: r.nextAfter });
    } catch (err) {
      setPage({ ...current, error: errorOf(err) });
    } finally {
      setLoadingMore(false);
    }
  };

  const filters: Filter[] = ['all', ...ROW_STATUSES.filter((s) => countOf(counts, s) > 0)];
  const columns = [...new Set(current?.items.flatMap((r) => Object.keys(r.values ?? {})) ?? [])];
  return (
    <section className="row-effects" aria-labelledby={`${captionId}-title`}>
      <h2 id={`${captionId}-title`}>{dryRun ? 'What will happen, row by row' : 'Row by row'}</h2>
      <fieldset className="filter">
        <legend>Show</legend>
        {filters.map((f) => (
          <label key={f}>
            <input
              type="radio"
              name={`filter-${captionId}`}
              value={f}
              checked={filter === f}
              onChange={() => setFilter(f)}
            />
            {f === 'all' ? 'all rows' : outcomeLabel(f, dryRun)}{' '}
            <span className="n">{formatNumber(f === 'all' ? counts.rowsProcessed : countOf(counts, f))}</span>
          </label>
        ))}
      </fieldset>
      {current?.error ? <ErrorMessage error={current.error} title="The rows could not be loaded." /> : null}
      {!current ? <p aria-live="polite">Loading rows…</p> : null}
      {current && current.items.length === 0 && !current.error ? <p>No rows.</p> : null}
      {current && current.items.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
          <table className="rows">
            <caption id={captionId}>
              {filter === 'all' ? 'Every row' : `Rows: ${outcomeLabel(filter, dryRun)}`} (line 1 is the
              header)
            </caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Outcome</th>
                {columns.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
                <th scope="col">{dryRun ? 'Change or problem' : 'Changed, or the problem'}</th>
              </tr>
            </thead>
            <tbody>
              {current.items.map((row) => (
                <tr key={row.line}>
                  <td className="num">{row.line}</td>
                  <td>
                    <OutcomeBadge status={row.status} dryRun={dryRun} />
                  </td>
                  {columns.map((c) => (
                    <td key={c} className={row.column === c ? 'cell-bad' : undefined}>
                      {row.values?.[c] ?? ''}
                    </td>
                  ))}
                  <td>
                    <RowDetail row={row} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {current?.nextAfter ? (
        <button type="button" onClick={() => void showMore()} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : `Show the next ${PAGE} rows`}
        </button>
      ) : null}
    </section>
  );
}

/** The fields a row changes (before → after), or its problem and how to fix it. */
function RowDetail({ row }: { row: RowOutcome }) {
  const changes = Object.entries(row.changes ?? {});
  return (
    <>
      {changes.length > 0 ? (
        <ul className="changes">
          {changes.map(([field, [before, after]]) => (
            <li key={field}>
              <span className="field">{field}</span> <del>{formatValue(before)}</del>{' '}
              <span aria-hidden="true">→</span>
              <span className="visually-hidden"> becomes </span> <ins>{formatValue(after)}</ins>
            </li>
          ))}
        </ul>
      ) : null}
      {row.message ? (
        <p className="problem">
          {row.message} {row.reason ? <code>{row.reason}</code> : null}
        </p>
      ) : null}
      {row.hint ? <p className="hint">{hintForUi(row.hint)}</p> : null}
      {changes.length === 0 && !row.message && row.status === 'unchanged' ? (
        <span className="muted">already so</span>
      ) : null}
    </>
  );
}
