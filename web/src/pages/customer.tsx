import { useState, type FormEvent } from 'react';
import type { Session } from '../api/types';
import {
  customerHistory,
  deleteCustomer,
  getCustomer,
  listPersons,
  listPositions,
  updateCustomer,
  type Customer,
} from '../data/api';
import { HistoryList } from '../data/history-list';
import { PersonRow } from '../data/person-row';
import { can } from '../data/roles';
import { useAction, useLoad } from '../data/use-load';
import { ErrorMessage } from '../ui/error-message';
import { PageTitle } from '../ui/page-title';
import { Link, navigate } from '../ui/router';

/** One customer: its fields (editable), its persons with position and primary mark, and its history. */
export function CustomerPage({ id, session }: { id: number; session: Session }) {
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  const customer = useLoad(() => getCustomer(id), `${id}|${version}`);
  const persons = useLoad(() => listPersons(id, { limit: 500 }), `${id}|${version}`);
  const positions = useLoad(() => listPositions({ limit: 500 }), 'positions');
  const editable = can(session, 'edit-records');
  const c = customer.data;
  return (
    <>
      <PageTitle title={c ? `${c.name} (${c.ref})` : 'Customer'} />
      <p>
        <Link to="/customers">All customers</Link>
      </p>
      {customer.error ? <ErrorMessage error={customer.error} /> : null}
      {c ? (
        <>
          {editable ? <CustomerForm customer={c} onSaved={changed} /> : <CustomerFacts customer={c} />}
          <section aria-labelledby="persons-title">
            <h2 id="persons-title">Persons</h2>
            {persons.error ? <ErrorMessage error={persons.error} /> : null}
            {persons.data && persons.data.total === 0 ? (
              <p className="muted">
                No contact is linked to {c.ref} yet. A contacts import links them (its <code>company_id</code>{' '}
                column names the customer by ref), and so does a <code>persons</code> import.
              </p>
            ) : null}
            {persons.data && persons.data.items.length > 0 ? (
              <div className="table-scroll" role="region" aria-labelledby="persons-caption" tabIndex={0}>
                <table className="records">
                  <caption id="persons-caption">
                    The contacts of {c.ref}, their position and primary mark
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Contact</th>
                      <th scope="col">Position</th>
                      <th scope="col">Primary</th>
                      {editable ? <th scope="col">Link</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {persons.data.items.map((p) => (
                      <PersonRow
                        key={`${p.contactId}|${p.position}|${p.primary}`}
                        contactId={p.contactId}
                        customerId={c.id}
                        position={p.position}
                        primary={p.primary}
                        title={<Link to={`/contacts/${p.contactId}`}>{p.email}</Link>}
                        positions={positions.data?.items ?? []}
                        editable={editable}
                        onChanged={changed}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            {persons.data && persons.data.total > persons.data.items.length ? (
              <p>
                {persons.data.items.length} of {persons.data.total} shown:{' '}
                <Link to={`/contacts?customer=${c.id}`}>search the contacts of {c.ref}</Link>.
              </p>
            ) : null}
          </section>
          <HistoryList load={() => customerHistory(id)} version={`${id}|${version}`} />
          {editable ? <DeleteCustomer customer={c} /> : null}
        </>
      ) : null}
      {!c && !customer.error ? <p>Loading…</p> : null}
    </>
  );
}

function CustomerFacts({ customer }: { customer: Customer }) {
  return (
    <dl className="facts-list">
      <dt>Ref</dt>
      <dd>{customer.ref}</dd>
      <dt>Name</dt>
      <dd>{customer.name}</dd>
      <dt>ERP id</dt>
      <dd>{customer.erpId ?? '—'}</dd>
    </dl>
  );
}

function CustomerForm({ customer, onSaved }: { customer: Customer; onSaved: () => void }) {
  const [ref, setRef] = useState(customer.ref);
  const [name, setName] = useState(customer.name);
  const [erpId, setErpId] = useState(customer.erpId ?? '');
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (await run(() => updateCustomer(customer.id, { ref, name, erpId: erpId || null }))) {
      setSaved(true);
      onSaved();
    }
  };
  return (
    <form className="record-form" onSubmit={(e) => void submit(e)} aria-label="Customer">
      <div className="form-row">
        <label>
          Ref
          <input value={ref} onChange={(e) => setRef(e.target.value)} required />
        </label>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          ERP id
          <input value={erpId} onChange={(e) => setErpId(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
      </div>
      {saved ? (
        <p className="ok" role="status">
          Saved.
        </p>
      ) : null}
      {error ? <ErrorMessage error={error} title="Not saved." /> : null}
    </form>
  );
}

function DeleteCustomer({ customer }: { customer: Customer }) {
  const { busy, error, run } = useAction();
  const remove = async () => {
    const sure = window.confirm(
      `Delete ${customer.ref} (${customer.name})? Its ${customer.contacts} links to contacts go with it; the contacts stay.`,
    );
    if (sure && (await run(() => deleteCustomer(customer.id)))) navigate('/customers');
  };
  return (
    <section className="danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
        Delete this customer…
      </button>
      {error ? <ErrorMessage error={error} title="Not deleted." /> : null}
    </section>
  );
}
