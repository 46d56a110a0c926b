import { useState, type FormEvent } from 'react';
import type { Session } from '../api/types';
import { createField, deleteField, listFields, updateField, type FieldType } from '../data/api';
import { CatalogNav } from '../data/catalog-nav';
import { DeleteButton } from '../data/delete-button';
import { Denied } from '../data/denied';
import { EmptyState } from '../data/empty-state';
import { Pager } from '../data/pager';
import { RenameCell } from '../data/rename-cell';
import { can, whyNot } from '../data/roles';
import { SelectField } from '../data/select-field';
import { useAction, useLoad } from '../data/use-load';
import { ErrorMessage } from '../ui/error-message';
import { plural } from '../ui/format';
import { PageTitle } from '../ui/page-title';
import { Link } from '../ui/router';

const PAGE = 100;
const TYPES: FieldType[] = ['text', 'number', 'boolean', 'date'];

/** Custom fields of contacts: list, create, rename (label and variable), delete (refused while used). */
export function FieldsPage({ session }: { session: Session }) {
  const [offset, setOffset] = useState(0);
  const [round, setRound] = useState(0);
  const reload = () => setRound((r) => r + 1);
  const { data, error } = useLoad(() => listFields({ limit: PAGE, offset }), `${offset}|${round}`);
  const admin = can(session, 'manage-catalog');
  return (
    <>
      <PageTitle title="Custom fields" />
      <CatalogNav path="/fields" />
      <p>
        Extra values of contacts. A contacts import sets one with a column named by its variable; each value
        is checked against the field’s type.
      </p>
      {admin ? <NewField onCreated={reload} /> : null}
      {!admin ? <Denied>{whyNot(session, 'create, rename or delete custom fields')}</Denied> : null}
      {error ? <ErrorMessage error={error} title="The custom fields could not be loaded." /> : null}
      {data && data.total === 0 ? (
        <EmptyState title="No custom fields yet.">
          <p>
            Create the fields your files carry{admin ? ' above' : ' (an admin can)'}; then a{' '}
            <Link to="/">contacts import</Link> fills them.
          </p>
        </EmptyState>
      ) : null}
      {data && data.items.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="fields-caption" tabIndex={0}>
          <table className="records">
            <caption id="fields-caption">{plural(data.total, 'custom field')}</caption>
            <thead>
              <tr>
                <th scope="col">Variable (column)</th>
                <th scope="col">Label</th>
                <th scope="col">Type</th>
                <th scope="col">Values</th>
                {admin ? <th scope="col">Delete</th> : null}
              </tr>
            </thead>
            <tbody>
              {data.items.map((f) => (
                <tr key={f.id}>
                  <td>
                    <RenameCell
                      name={f.variable}
                      label="New variable"
                      editable={admin}
                      save={(variable) => updateField(f.id, { variable })}
                      onSaved={reload}
                    />
                  </td>
                  <td>
                    <RenameCell
                      name={f.label}
                      label="New label"
                      editable={admin}
                      save={(label) => updateField(f.id, { label })}
                      onSaved={reload}
                    />
                  </td>
                  <td>{f.type}</td>
                  <td className="num">{plural(f.uses, 'contact')}</td>
                  {admin ? (
                    <td>
                      <DeleteButton
                        what={`the field ${f.variable}`}
                        remove={() => deleteField(f.id)}
                        onDeleted={reload}
                      />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {data ? <Pager page={data} onOffset={setOffset} /> : null}
    </>
  );
}

function NewField({ onCreated }: { onCreated: () => void }) {
  const [variable, setVariable] = useState('');
  const [label, setLabel] = useState('');
  const [type, setType] = useState<FieldType>('text');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => createField({ variable, type, ...(label ? { label } : {}) }))) {
      setVariable('');
      setLabel('');
      onCreated();
    }
  };
  return (
    <form className="create inline-form" onSubmit={(e) => void submit(e)}>
      <label>
        Variable
        <input
          value={variable}
          onChange={(e) => setVariable(e.target.value)}
          placeholder="e.g. renewal_date"
          required
        />
      </label>
      <label>
        Label <span className="muted">(optional)</span>
        <input value={label} onChange={(e) => setLabel(e.target.value)} />
      </label>
      <SelectField label="Type" value={type} onChange={(v) => setType(v as FieldType)}>
        {TYPES.map((t) => (
          <option key={t}>{t}</option>
        ))}
      </SelectField>
      <button type="submit" className="primary" disabled={busy}>
        Create
      </button>
      {error ? <ErrorMessage error={error} title="Not created." /> : null}
    </form>
  );
}
