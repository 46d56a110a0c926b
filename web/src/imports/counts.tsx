import type { Counts } from '../api/types';
import { formatNumber } from '../ui/format';

type CountName = Exclude<keyof Counts, 'rowsProcessed'>;

const LABELS: Record<CountName, [future: string, past: string]> = {
  created: ['Will be created', 'Created'],
  updated: ['Will be updated', 'Updated'],
  unchanged: ['Unchanged', 'Unchanged'],
  unmatched: ['Unmatched', 'Unmatched'],
  invalid: ['Invalid', 'Invalid'],
  duplicates: ['Duplicates', 'Duplicates'],
};

/** Every data row lands in exactly one of these counts; they add up to the rows read. */
export function CountsList({ counts, dryRun }: { counts: Counts; dryRun: boolean }) {
  return (
    <dl className="counts">
      <div className="count-rows">
        <dt>Rows read</dt>
        <dd>{formatNumber(counts.rowsProcessed)}</dd>
      </div>
      {(Object.keys(LABELS) as CountName[]).map((name) => (
        <div key={name} className={`count-${name}${counts[name] === 0 ? ' zero' : ''}`}>
          <dt>{LABELS[name][dryRun ? 0 : 1]}</dt>
          <dd>{formatNumber(counts[name])}</dd>
        </div>
      ))}
    </dl>
  );
}
