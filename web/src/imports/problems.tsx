import { errorsCsvUrl } from '../api/roster';
import type { Report } from '../api/types';
import { plural } from '../ui/format';
import { ProblemTable } from './problem-table';

/** The rows a run could not apply, in two tables, and the errors CSV to fix and import them again. */
export function Problems({ report }: { report: Report }) {
  const total = report.counts.unmatched + report.counts.invalid;
  if (total === 0) return null;
  return (
    <section className="problems" aria-labelledby="problems-title">
      <h2 id="problems-title">{plural(total, 'row')} to fix</h2>
      <p>
        <a className="button" href={errorsCsvUrl(report.id)} download>
          Download the errors CSV
        </a>{' '}
        <span className="muted">
          every unmatched and invalid row with its columns plus <code>_line</code> and <code>_error</code>:
          fix the cells and import it again as it is.
        </span>
      </p>
      <ProblemTable title="Unmatched rows" entries={report.unmatched} leftOut={report.truncated?.unmatched} />
      <ProblemTable title="Invalid rows" entries={report.invalid} leftOut={report.truncated?.invalid} />
    </section>
  );
}
