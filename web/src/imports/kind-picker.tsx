import type { Kind } from '../api/types';

/**
 * One radio a kind: what it does in a line, its columns (required in bold), and a template to download.
 * Folded to one line (`folded`) once a file is chosen, so the check below stays in view.
 */
export function KindPicker({
  kinds,
  value,
  onChange,
  folded,
  onUnfold,
}: {
  kinds: Kind[];
  value: string | null;
  onChange: (kind: string) => void;
  folded: boolean;
  onUnfold: () => void;
}) {
  const chosen = kinds.find((k) => k.name === value);
  if (folded && chosen) {
    return (
      <div className="kind-folded">
        <span className="step">1</span> <span className="kind-name">{chosen.name}</span>{' '}
        <span className="muted">
          <Summary text={chosen.summary} />
        </span>{' '}
        <button type="button" className="link" onClick={onUnfold}>
          Change the kind
        </button>
      </div>
    );
  }
  return (
    <fieldset className="kinds">
      <legend>
        <span className="step">1</span> What does the file hold?
      </legend>
      <div className="kind-grid">
        {kinds.map((k) => (
          <div key={k.name} className={`kind${value === k.name ? ' chosen' : ''}`}>
            <label>
              <input
                type="radio"
                name="kind"
                value={k.name}
                checked={value === k.name}
                onChange={() => onChange(k.name)}
                // Unfolded with "Change the kind": the keyboard goes on from the chosen kind.
                autoFocus={!folded && value === k.name && chosen !== undefined}
                aria-describedby={`kind-${k.name}-summary`}
              />
              <span className="kind-name">{k.name}</span>
            </label>
            <p className="kind-summary" id={`kind-${k.name}-summary`}>
              <Summary text={k.summary} />
            </p>
            <p className="kind-columns">
              {k.columns.map((c, i) => (
                <span key={c.name}>
                  {i > 0 ? ', ' : ''}
                  {c.required ? <strong title="required">{c.name}</strong> : c.name}
                </span>
              ))}
            </p>
            <a href={k.template} download aria-label={`Template CSV for ${k.name}`}>
              Template CSV
            </a>
          </div>
        ))}
      </div>
      <p className="muted">Columns in bold are required; the others may be left out.</p>
    </fieldset>
  );
}

/** A kind's summary: `code` spans (written with backticks) shown as code, not as raw backticks. */
function Summary({ text }: { text: string }) {
  return <>{text.split(/`([^`]+)`/).map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}
