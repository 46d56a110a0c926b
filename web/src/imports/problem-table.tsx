import { useId } from 'react';
import type { ReportEntry } from '../api/types';
import { hintForUi, plural } from '../ui/format';

const ENTRY_FIELDS = new Set(['line', 'reason', 'column', 'message', 'hint']);

/** The unmatched or invalid rows of a report: line, the row's key values, reason, message and hint. */
export function ProblemTable({
  title,
  entries,
  leftOut = 0,
}: {
  title: string;
  entries: ReportEntry[];
  leftOut?: number;
}) {
  const id = useId();
  if (entries.length === 0) return null;
  const columns = [...new Set(entries.flatMap((e) => Object.keys(e).filter((k) => !ENTRY_FIELDS.has(k))))];
  return (
    <div className="problem-table">
      <div className="table-scroll" role="region" aria-labelledby={id} tabIndex={0}>
        <table>
          <caption id={id}>
            {title} ({entries.length + leftOut})
          </caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              {columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
              <th scope="col">Reason</th>
              <th scope="col">What is wrong, and how to fix it</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={`${e.line}-${i}`}>
                <td className="num">{e.line}</td>
                {columns.map((c) => (
                  <td key={c} className={e.column === c ? 'cell-bad' : undefined}>
                    {e[c] ?? ''}
                  </td>
                ))}
                <td>
                  <code>{e.reason}</code>
                  {e.column ? <span className="muted"> in {e.column}</span> : null}
                </td>
                <td>
                  <p className="problem">{e.message}</p>
                  {e.hint ? <p className="hint">{hintForUi(e.hint)}</p> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {leftOut > 0 ? (
        <p className="muted">
          {plural(leftOut, 'more row')} not listed here: the errors CSV holds every one of them.
        </p>
      ) : null}
    </div>
  );
}
