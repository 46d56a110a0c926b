import { useEffect, useState } from 'react';
import { errorOf, type ApiError } from '../api/client';
import { listRuns } from '../api/roster';
import type { RunSummary } from '../api/types';
import { RunStatusBadge } from '../ui/badges';
import { ErrorMessage } from '../ui/error-message';
import { formatBytes, formatDate, formatNumber } from '../ui/format';
import { PageTitle } from '../ui/page-title';
import { Link } from '../ui/router';

const PAGE = 50;

/** Every import of the workspace, newest first: who, when, file, kind, counts, status; each opens its report. */
export function HistoryPage() {
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [showDryRuns, setShowDryRuns] = useState(false);
  const [loading, setLoading] = useState(false);

  const load = async (offset: number) => {
    setLoading(true);
    try {
      const page = await listRuns(PAGE, offset);
      setRuns((before) => [...(offset > 0 ? (before ?? []) : []), ...page.items]);
      setTotal(page.total);
      setError(null);
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    listRuns(PAGE, 0).then(
      (page) => {
        setRuns(page.items);
        setTotal(page.total);
      },
      (err: unknown) => setError(errorOf(err)),
    );
  }, []);

  const shown = runs?.filter((r) => showDryRuns || !r.dryRun) ?? [];
  return (
    <>
      <PageTitle title="Imports" />
      <p>
        <label className="check">
          <input type="checkbox" checked={showDryRuns} onChange={(e) => setShowDryRuns(e.target.checked)} />
          Show dry runs too (file checks that changed nothing)
        </label>
      </p>
      {error ? <ErrorMessage error={error} title="The imports could not be loaded." /> : null}
      {!runs && !error ? <p>Loading…</p> : null}
      {runs && shown.length === 0 ? (
        <p>
          No imports yet. <Link to="/">Start one</Link>.
        </p>
      ) : null}
      {shown.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="history-caption" tabIndex={0}>
          <table className="history">
            <caption id="history-caption">Imports, newest first</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Status</th>
                <th scope="col">Counts</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Kind</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((run) => (
                <tr key={run.id}>
                  {/* The file first: on a phone it and the status are what shows before the table scrolls. */}
                  <td>
                    <Link to={`/imports/${run.id}`}>{run.file.name}</Link>
                    <span className="muted"> {formatBytes(run.file.bytes)}</span>
                  </td>
                  <td>
                    <RunStatusBadge run={run} />
                  </td>
                  <td className="counts-cell">
                    <RunCounts run={run} />
                  </td>
                  <td>{formatDate(run.startedAt)}</td>
                  <td>{run.actor}</td>
                  <td>{run.kind}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {runs && runs.length < total ? (
        <button type="button" onClick={() => void load(runs.length)} disabled={loading}>
          {loading ? 'Loading…' : 'Show older imports'}
        </button>
      ) : null}
    </>
  );
}

function RunCounts({ run }: { run: RunSummary }) {
  const c = run.counts;
  if (!c) return <span className="muted">—</span>;
  const parts: [string, number][] = [
    ['created', c.created],
    ['updated', c.updated],
    ['unchanged', c.unchanged],
    ['unmatched', c.unmatched],
    ['invalid', c.invalid],
    ['duplicates', c.duplicates],
  ];
  const nonZero = parts.filter(([, n]) => n > 0);
  return (
    <span className="run-counts">
      {formatNumber(c.rowsProcessed)} rows
      {nonZero.length > 0 ? ': ' : ''}
      {nonZero.map(([name, n]) => `${formatNumber(n)} ${name}`).join(', ')}
    </span>
  );
}
