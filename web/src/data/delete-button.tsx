import { ErrorMessage } from '../ui/error-message';
import { useAction } from './use-load';

/**
 * Deletes a record after a confirmation; what the server refuses (a position still held, a label still
 * carried: 409 with the number of uses) is said right beside the button.
 */
export function DeleteButton({
  what,
  remove,
  onDeleted,
}: {
  what: string;
  remove: () => Promise<unknown>;
  onDeleted: () => void;
}) {
  const { busy, error, run } = useAction();
  const click = async () => {
    if (!window.confirm(`Delete ${what}?`)) return;
    if (await run(remove)) onDeleted();
  };
  return (
    <>
      <button type="button" className="link" disabled={busy} aria-label={`Delete ${what}`} onClick={() => void click()}>
        Delete
      </button>
      {error ? <ErrorMessage error={error} title="Not deleted." /> : null}
    </>
  );
}
