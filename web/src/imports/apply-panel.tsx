import { useState } from 'react';
import { errorOf, type ApiError } from '../api/client';
import { applyRun } from '../api/roster';
import type { RunDetail } from '../api/types';
import { ErrorMessage } from '../ui/error-message';
import { plural } from '../ui/format';
import { Link, navigate } from '../ui/router';

/**
 * Applies a reviewed dry run: the server refuses (409) when the data changed since the dry run, and then
 * the file has to be checked again, which `onRecheck` does when the page still holds the file.
 */
export function ApplyPanel({
  run,
  workspace,
  onRecheck,
}: {
  run: RunDetail;
  workspace: string;
  onRecheck?: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const counts = run.counts;
  if (!counts || run.status !== 'completed' || !run.dryRun) return null;

  if (run.appliedRunId) {
    return (
      <section className="apply">
        <p>
          This dry run has been applied: <Link to={`/imports/${run.appliedRunId}`}>open that import</Link>.
        </p>
      </section>
    );
  }
  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      const accepted = await applyRun(run.id);
      navigate(`/imports/${accepted.id}`);
    } catch (err) {
      setError(errorOf(err));
      setBusy(false);
    }
  };
  const changes = counts.created + counts.updated;
  const skipped = counts.unmatched + counts.invalid;
  return (
    <section className="apply" aria-labelledby="apply-title">
      <h2 id="apply-title">Apply</h2>
      <p>
        {changes === 0
          ? `Nothing in ${workspace} would change.`
          : `Applying writes ${plural(changes, 'change')} to ${workspace}: ${counts.created} created, ${counts.updated} updated.`}{' '}
        {skipped > 0
          ? `${plural(skipped, 'row')} with a problem will be left out; fix them later from the errors CSV.`
          : ''}{' '}
        It can be undone afterwards.
      </p>
      {error ? (
        <ErrorMessage error={error} title="Not applied.">
          {error.code === 'preview_outdated' && onRecheck ? (
            <p>
              <button type="button" onClick={onRecheck}>
                Check the file again
              </button>
            </p>
          ) : null}
        </ErrorMessage>
      ) : null}
      <button type="button" className="primary" onClick={() => void apply()} disabled={busy}>
        {busy ? 'Starting…' : `Apply to ${workspace}`}
      </button>
    </section>
  );
}
