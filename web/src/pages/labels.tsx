import { useState, type FormEvent } from 'react';
import type { Session } from '../api/types';
import { createLabel, deleteLabel, listLabels, renameLabel } from '../data/api';
import { CatalogNav } from '../data/catalog-nav';
import { DeleteButton } from '../data/delete-button';
import { Denied } from '../data/denied';
import { EmptyState } from '../data/empty-state';
import { Pager } from '../data/pager';
import { RenameCell } from '../data/rename-cell';
import { can, whyNot } from '../data/roles';
import { useAction, useLoad } from '../data/use-load';
import { ErrorMessage } from '../ui/error-message';
import { plural } from '../ui/format';
import { PageTitle } from '../ui/page-title';
import { Link } from '../ui/router';

const PAGE = 100;

/** Labels of contacts: list, create (with an optional stable id), rename, delete (refused while carried). */
export function LabelsPage({ session }: { session: Session }) {
  const [offset, setOffset] = useState(0);
  const [round, setRound] = useState(0);
  const reload = () => setRound((r) => r + 1);
  const { data, error } = useLoad(() => listLabels({ limit: PAGE, offset }), `${offset}|${round}`);
  const admin = can(session, 'manage-catalog');
  return (
    <>
      <PageTitle title="Labels" />
      <CatalogNav path="/labels" />
      <p>
        Tags on contacts. A contacts import names them in its <code>labels</code> column (names, exactly) or{' '}
        <code>labels_id</code> (their ids), separated by <code>:</code>.
      </p>
      {admin ? <NewLabel onCreated={reload} /> : null}
      {!admin ? <Denied>{whyNot(session, 'create, rename or delete labels')}</Denied> : null}
      {error ? <ErrorMessage error={error} title="The labels could not be loaded." /> : null}
      {data && data.total === 0 ? (
        <EmptyState title="No labels yet.">
          <p>
            Create the labels your files name{admin ? ' above' : ' (an admin can)'}; then a{' '}
            <Link to="/">contacts import</Link> puts them on contacts.
          </p>
        </EmptyState>
      ) : null}
      {data && data.items.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="labels-caption" tabIndex={0}>
          <table className="records">
            <caption id="labels-caption">{plural(data.total, 'label')}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Carried by</th>
                {admin ? <th scope="col">Delete</th> : null}
              </tr>
            </thead>
            <tbody>
              {data.items.map((l) => (
                <tr key={l.id}>
                  <td>
                    <RenameCell
                      name={l.name}
                      label="New name"
                      editable={admin}
                      save={(name) => renameLabel(l.id, name)}
                      onSaved={reload}
                    />
                  </td>
                  <td>
                    <code>{l.labelId}</code>
                  </td>
                  <td className="num">
                    <Link to={`/contacts?label=${l.id}`}>{plural(l.uses, 'contact')}</Link>
                  </td>
                  {admin ? (
                    <td>
                      <DeleteButton
                        what={`the label ${l.name}`}
                        remove={() => deleteLabel(l.id)}
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

function NewLabel({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [labelId, setLabelId] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => createLabel({ name, ...(labelId ? { labelId } : {}) }))) {
      setName('');
      setLabelId('');
      onCreated();
    }
  };
  return (
    <form className="create inline-form" onSubmit={(e) => void submit(e)}>
      <label>
        Label name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Id <span className="muted">(optional, cannot change later)</span>
        <input value={labelId} onChange={(e) => setLabelId(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Create
      </button>
      {error ? <ErrorMessage error={error} title="Not created." /> : null}
    </form>
  );
}
