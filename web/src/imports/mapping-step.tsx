import { useState, type FormEvent } from 'react';
import { errorOf, type ApiError } from '../api/client';
import { saveMapping } from '../api/roster';
import type { ColumnMapping, MappingProposal } from '../api/types';
import { ErrorMessage } from '../ui/error-message';

type Proposed = MappingProposal['columns'][number];

const WHY: Record<NonNullable<Proposed['why']>, string> = {
  exact: 'same name',
  alias: 'a header other programs write for it',
  remembered: 'chosen for this header last time',
  close: 'a close match: check it',
  note: '',
};

/** The choices the mapping step starts from: what the server proposed for each column of the file. */
export function proposedMapping(proposal: MappingProposal): ColumnMapping {
  return Object.fromEntries(proposal.columns.filter((c) => c.why !== 'note').map((c) => [c.name, c.target]));
}

/**
 * Between the file check and the preview, when the header is not exactly the kind's columns: one line per
 * column of the file with its first values, and what it is read as. Each change runs the check again.
 */
export function MappingStep({
  kind,
  proposal,
  mapping,
  onChange,
  onHeaderLine,
}: {
  kind: string;
  proposal: MappingProposal;
  mapping: ColumnMapping;
  onChange: (mapping: ColumnMapping) => void;
  /** Reads the file again with its header on another line. */
  onHeaderLine: (line: number) => void;
}) {
  const [name, setName] = useState('');
  const [line, setLine] = useState(String(proposal.headerLine + 1));
  const [saved, setSaved] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const columns = proposal.targets.filter((t) => !t.custom);
  const custom = proposal.targets.filter((t) => t.custom);
  const chosen = new Set(Object.values(mapping).filter((t): t is string => t !== null));
  const missing = proposal.targets.filter((t) => t.required && !chosen.has(t.name)).map((t) => t.name);

  /** One source per column: choosing a column another source had leaves that one out. */
  const choose = (source: string, target: string | null) => {
    const next: ColumnMapping = {};
    for (const [s, t] of Object.entries(mapping)) next[s] = target !== null && t === target ? null : t;
    next[source] = target;
    setSaved(null);
    onChange(next);
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    const wanted = name.trim();
    if (!wanted) return;
    setSaveError(null);
    saveMapping({ name: wanted, kind, columns: mapping }).then(
      (m) => setSaved(m.name),
      (err: unknown) => setSaveError(errorOf(err)),
    );
  };

  return (
    <section className="mapping-step" aria-labelledby="mapping-title">
      <h2 id="mapping-title">Columns of the file</h2>
      <p>
        The header is not exactly the columns of a {kind} import. Choose what each column is read as; the
        check runs again after each change, and nothing is applied before you say so.
      </p>
      {notAHeader(proposal) ? (
        <form
          className="notice warning header-line"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(line);
            if (Number.isInteger(n) && n >= 1) onHeaderLine(n);
          }}
        >
          <p>
            Line {proposal.headerLine} does not look like a header: none of its cells is a column of this
            import. Some exports (LinkedIn's) start with notes above the header.
          </p>
          <label>
            The header row is on line
            <input
              type="number"
              min={1}
              inputMode="numeric"
              value={line}
              onChange={(e) => setLine(e.target.value)}
            />
          </label>
          <button type="submit">Read from that line</button>
        </form>
      ) : null}
      {missing.length > 0 ? (
        <p className="notice warning" role="status">
          Still needed: {missing.map((m, i) => [i > 0 ? ', ' : '', <code key={m}>{m}</code>])} (required; no
          column of the file is read as {missing.length === 1 ? 'it' : 'them'} yet)
        </p>
      ) : (
        <p className="ok">Every required column has a column of the file.</p>
      )}
      <ol className="mapping-lines">
        {proposal.columns.map((c, i) => {
          const id = `map-${i}`;
          const target = mapping[c.name] ?? null;
          return (
            <li key={`${i}-${c.name}`} className="mapping-line">
              <div className="mapping-source">
                <label htmlFor={id} className="source-name">
                  {c.name === '' ? '(no name)' : c.name}
                </label>
                <span className="samples">
                  {c.samples.length > 0 ? c.samples.join(' · ') : 'no values in the first rows'}
                </span>
              </div>
              {c.why === 'note' ? (
                <span className="mapping-why">a note for people (starts with _): not imported</span>
              ) : (
                <div className="mapping-target">
                  <select
                    id={id}
                    value={target ?? ''}
                    aria-describedby={`${id}-why`}
                    onChange={(e) => choose(c.name, e.target.value === '' ? null : e.target.value)}
                  >
                    <option value="">leave out</option>
                    <optgroup label={`Columns of ${kind}`}>
                      {columns.map((t) => (
                        <option key={t.name} value={t.name}>
                          {t.name}
                          {t.required ? ' (required)' : ''}
                        </option>
                      ))}
                    </optgroup>
                    {custom.length > 0 ? (
                      <optgroup label="Custom fields">
                        {custom.map((t) => (
                          <option key={t.name} value={t.name}>
                            {t.name}
                          </option>
                        ))}
                      </optgroup>
                    ) : null}
                  </select>
                  <span id={`${id}-why`} className="mapping-why">
                    {whyText(c, target)}
                  </span>
                </div>
              )}
            </li>
          );
        })}
      </ol>
      <form className="save-mapping" onSubmit={save}>
        <label>
          Save these choices as a mapping named
          <input type="text" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={name.trim() === ''}>
          Save mapping
        </button>
        {saved ? (
          <p role="status" className="ok">
            Saved as “{saved}”. The choices for each header are also remembered once the import is applied.
          </p>
        ) : null}
      </form>
      {saveError ? <ErrorMessage error={saveError} title="The mapping could not be saved." /> : null}
    </section>
  );
}

/** No cell of the header line was proposed as a column (notes aside): probably not the header at all. */
function notAHeader(proposal: MappingProposal): boolean {
  const cells = proposal.columns.filter((c) => c.why !== 'note');
  return cells.length > 0 && cells.every((c) => c.target === null);
}

function whyText(c: Proposed, target: string | null): string {
  const note = c.note ? ` — ${c.note}` : '';
  if (target !== c.target) return target === null ? `left out${note}` : `your choice${note}`;
  if (c.why === null || c.why === 'note')
    return target === null ? `left out: no column matches${note}` : note;
  if (c.why === 'remembered' && target === null) return `left out last time${note}`;
  return `${WHY[c.why]}${note}`;
}
