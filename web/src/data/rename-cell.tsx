import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '../ui/error-message';
import { useAction } from './use-load';

/** A name with a Rename button that turns it into a field in place (Escape cancels). */
export function RenameCell({
  name,
  label,
  editable,
  save,
  onSaved,
}: {
  name: string;
  label: string;
  editable: boolean;
  save: (name: string) => Promise<unknown>;
  onSaved: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  const { busy, error, run, clear } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => save(value))) {
      setEditing(false);
      onSaved();
    }
  };
  if (!editing) {
    return (
      <span className="rename">
        <span>{name}</span>
        {editable ? (
          <button
            type="button"
            className="link"
            aria-label={`Rename ${name}`}
            onClick={() => {
              setValue(name);
              setEditing(true);
            }}
          >
            Rename
          </button>
        ) : null}
      </span>
    );
  }
  return (
    <form
      className="inline-form"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          clear();
          setEditing(false);
        }
      }}
    >
      <label>
        <span className="visually-hidden">{label}</span>
        <input value={value} onChange={(e) => setValue(e.target.value)} autoFocus required />
      </label>
      <button type="submit" disabled={busy}>
        Save
      </button>
      <button type="button" className="link" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error ? <ErrorMessage error={error} title="Not renamed." /> : null}
    </form>
  );
}
