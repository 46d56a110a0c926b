import { useState, type ReactNode } from 'react';
import { ErrorMessage } from '../ui/error-message';
import { removeLink, setLink, type Position } from './api';
import { useAction } from './use-load';

/**
 * One link of a contact to a customer, as a table row: the other side (`title`), its position and primary
 * mark, editable in place (a change is saved at once), and unlink. Key it by contact, customer, position and
 * primary, so a saved change starts the row afresh.
 */
export function PersonRow({
  contactId,
  customerId,
  title,
  position,
  primary,
  positions,
  editable,
  onChanged,
}: {
  contactId: number;
  customerId: number;
  title: ReactNode;
  position: string | null;
  primary: boolean;
  positions: Position[];
  editable: boolean;
  onChanged: () => void;
}) {
  const { busy, error, run } = useAction();
  // Shown at once, put back if the server refuses it (the parent keys rows by their saved values).
  const [shown, setShown] = useState({ position, primary });
  const change = async (body: { position?: string | null; primary?: boolean }) => {
    setShown({ ...shown, ...body });
    if (await run(() => setLink(contactId, customerId, body))) onChanged();
    else setShown({ position, primary });
  };
  const unlink = async () => {
    if (await run(() => removeLink(contactId, customerId))) onChanged();
  };
  // A position this list does not hold (more than fit in it) stays choosable.
  const names = positions.map((p) => p.name);
  if (shown.position && !names.includes(shown.position)) names.unshift(shown.position);
  return (
    <tr>
      <td>
        {title}
        {error ? <ErrorMessage error={error} title="Not saved." /> : null}
      </td>
      <td>
        {editable ? (
          <select
            aria-label="Position"
            value={shown.position ?? ''}
            disabled={busy}
            onChange={(e) => void change({ position: e.target.value || null })}
          >
            <option value="">(none)</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        ) : (
          (position ?? <span className="muted">—</span>)
        )}
      </td>
      <td>
        {editable ? (
          <label className="check">
            <input
              type="checkbox"
              checked={shown.primary}
              disabled={busy}
              onChange={(e) => void change({ primary: e.target.checked })}
            />
            primary
          </label>
        ) : primary ? (
          'primary'
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      {editable ? (
        <td>
          <button type="button" className="link" disabled={busy} onClick={() => void unlink()}>
            Unlink
          </button>
        </td>
      ) : null}
    </tr>
  );
}
