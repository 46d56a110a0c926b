import { ErrorMessage } from '../ui/error-message';
import { formatDate, formatValue } from '../ui/format';
import { Link } from '../ui/router';
import type { History, HistoryEntry } from './api';
import { useLoad } from './use-load';

/** A value of a change: label lists (arrays) read as the import writes them, `a:b`. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(':');
  return formatValue(value);
}

const ACTIONS: Record<HistoryEntry['action'], string> = {
  created: 'Created',
  updated: 'Changed',
  linked: 'Linked',
  unlinked: 'Unlinked',
};

/**
 * A record's history: every import run (with the line of its file) and API edit that changed it, newest
 * first, each field before → after, with a link to the run's report (where it can be undone).
 */
export function HistoryList({ load, version }: { load: () => Promise<History>; version: string }) {
  const { data, error } = useLoad(load, version);
  return (
    <section aria-labelledby="history-title" className="record-history">
      <h2 id="history-title">History</h2>
      {error ? <ErrorMessage error={error} title="The history could not be loaded." /> : null}
      {!data && !error ? <p>Loading…</p> : null}
      {data && data.items.length === 0 ? (
        <p className="muted">No import or edit has changed it since Roster began recording.</p>
      ) : null}
      {data && data.items.length > 0 ? (
        <ol className="history-entries">
          {data.items.map((e, i) => (
            <li key={i} className={`history-entry ${e.run?.status === 'undone' ? 'undone' : ''}`}>
              <p className="history-head">
                <strong>{ACTIONS[e.action]}</strong>
                {e.subject ? <span> · {e.subject}</span> : null}
                {' · '}
                {e.run ? (
                  <>
                    import of <Link to={`/imports/${e.run.id}`}>{e.run.fileName}</Link>, line {e.run.line}
                    {e.run.status === 'undone' ? <span className="badge run-undone">undone</span> : null}
                  </>
                ) : (
                  'edited in Roster'
                )}
              </p>
              <p className="muted history-when">
                <time dateTime={e.at}>{formatDate(e.at)}</time> by {e.actor}
              </p>
              <ul className="changes">
                {Object.entries(e.changes).map(([field, [before, after]]) => (
                  <li key={field}>
                    <span className="field">{field}</span> <del>{shown(before)}</del> →{' '}
                    <ins>{shown(after)}</ins>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      ) : null}
      {data?.more ? <p className="muted">Older changes are left out.</p> : null}
    </section>
  );
}
