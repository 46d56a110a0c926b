import { useState, type FormEvent } from 'react';
import type { Session } from '../api/types';
import { createPosition, deletePosition, listPositions, renamePosition } from '../data/api';
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

/** Positions a person can hold on a customer: list, create, rename, delete (refused while held). */
export function PositionsPage({ session }: { session: Session }) {
  const [offset, setOffset] = useState(0);
  const [round, setRound] = useState(0);
  const reload = () => setRound((r) => r + 1);
  const { data, error } = useLoad(() => listPositions({ limit: PAGE, offset }), `${offset}|${round}`);
  const admin = can(session, 'manage-catalog');
  return (
    <>
      <PageTitle title="Positions" />
      <CatalogNav path="/positions" />
      <p>
        What a person can be on a customer (“Account Manager”). The <code>positions</code> and{' '}
        <code>persons</code> imports name them exactly, in the same case.
      </p>
      {admin ? <NewName label="Position name" create={createPosition} onCreated={reload} /> : null}
      {!admin ? <Denied>{whyNot(session, 'create, rename or delete positions')}</Denied> : null}
      {error ? <ErrorMessage error={error} title="The positions could not be loaded." /> : null}
      {data && data.total === 0 ? (
        <EmptyState title="No positions yet.">
          <p>
            Create the positions your files name{admin ? ' above' : ' (an admin can)'}; then a{' '}
            <Link to="/">positions import</Link> sets them on persons.
          </p>
        </EmptyState>
      ) : null}
      {data && data.items.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="positions-caption" tabIndex={0}>
          <table className="records">
            <caption id="positions-caption">{plural(data.total, 'position')}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Held by</th>
                {admin ? <th scope="col">Delete</th> : null}
              </tr>
            </thead>
            <tbody>
              {data.items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <RenameCell
                      name={p.name}
                      label="New name"
                      editable={admin}
                      save={(name) => renamePosition(p.id, name)}
                      onSaved={reload}
                    />
                  </td>
                  <td className="num">{plural(p.uses, 'person')}</td>
                  {admin ? (
                    <td>
                      <DeleteButton
                        what={`the position ${p.name}`}
                        remove={() => deletePosition(p.id)}
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

/** A one-field create form: a name. */
export function NewName({
  label,
  create,
  onCreated,
  extra,
}: {
  label: string;
  create: (name: string) => Promise<unknown>;
  onCreated: () => void;
  extra?: string;
}) {
  const [name, setName] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => create(name))) {
      setName('');
      onCreated();
    }
  };
  return (
    <form className="create inline-form" onSubmit={(e) => void submit(e)}>
      <label>
        {label}
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Create
      </button>
      {extra ? <p className="muted">{extra}</p> : null}
      {error ? <ErrorMessage error={error} title="Not created." /> : null}
    </form>
  );
}
