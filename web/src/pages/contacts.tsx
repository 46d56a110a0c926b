import { useState, type FormEvent } from 'react';
import type { Session } from '../api/types';
import { createContact, exportUrl, listContacts, listCustomers, listLabels } from '../data/api';
import { EmptyState } from '../data/empty-state';
import { Pager } from '../data/pager';
import { can } from '../data/roles';
import { SelectField } from '../data/select-field';
import { useAction, useDebounced, useLoad } from '../data/use-load';
import { ErrorMessage } from '../ui/error-message';
import { formatNumber } from '../ui/format';
import { PageTitle } from '../ui/page-title';
import { Link, navigate } from '../ui/router';

const PAGE = 50;

const fullName = (c: { firstName: string | null; lastName: string | null }) =>
  [c.firstName, c.lastName].filter(Boolean).join(' ');

/** Contacts: search by email and name, filter by label and by customer, page; create one; export. */
export function ContactsPage({ session }: { session: Session }) {
  const start = new URLSearchParams(window.location.search);
  const [q, setQ] = useState(start.get('q') ?? '');
  const [labelId, setLabelId] = useState(start.get('label') ?? '');
  const [customerId, setCustomerId] = useState(start.get('customer') ?? '');
  const [offset, setOffset] = useState(0);
  const search = useDebounced(q);
  const labels = useLoad(() => listLabels({ limit: 500 }), 'labels');
  const customers = useLoad(() => listCustomers({ limit: 500 }), 'customers');
  const { data, error, loading } = useLoad(
    () =>
      listContacts({
        q: search,
        labelId: labelId ? Number(labelId) : undefined,
        customerId: customerId ? Number(customerId) : undefined,
        limit: PAGE,
        offset,
      }),
    `${search}|${labelId}|${customerId}|${offset}`,
  );
  const filtered = Boolean(search || labelId || customerId);
  const reset = (set: (v: string) => void) => (v: string) => {
    set(v);
    setOffset(0);
  };
  return (
    <>
      <PageTitle title="Contacts" />
      <div className="list-tools">
        <label className="search">
          Search
          <input
            type="search"
            value={q}
            placeholder="email or name"
            onChange={(e) => reset(setQ)(e.target.value)}
          />
        </label>
        <SelectField label="Label" value={labelId} onChange={reset(setLabelId)}>
          <option value="">any</option>
          {labels.data?.items.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Customer" value={customerId} onChange={reset(setCustomerId)}>
          <option value="">any</option>
          {customers.data?.items.map((c) => (
            <option key={c.id} value={c.id}>
              {c.ref} · {c.name}
            </option>
          ))}
        </SelectField>
        <p className="downloads">
          Download as CSV: <a href={exportUrl('contacts')}>contacts</a>
        </p>
      </div>
      {error ? <ErrorMessage error={error} title="The contacts could not be loaded." /> : null}
      {data && data.total === 0 && !filtered ? (
        <EmptyState title="No contacts yet.">
          <p>
            Import a file of contacts (kind <code>contacts</code>: email, first_name, last_name, company_id,
            labels and your custom fields) on the <Link to="/">new import</Link> page, or create one below.
          </p>
          <p>
            An import refers to what must exist first: <Link to="/customers">customers</Link> (by ref), and
            the <Link to="/labels">labels</Link> and <Link to="/fields">custom fields</Link> its columns name.
          </p>
        </EmptyState>
      ) : null}
      {data && data.total === 0 && filtered ? <p>No contact matches.</p> : null}
      {data && data.items.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="contacts-caption" tabIndex={0}>
          <table className="records" aria-busy={loading}>
            <caption id="contacts-caption">
              {formatNumber(data.total)} contact{data.total === 1 ? '' : 's'}
              {filtered ? ' found' : ''}, by email
            </caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/contacts/${c.id}`}>{c.email}</Link>
                  </td>
                  <td>{fullName(c) || <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {data ? <Pager page={data} onOffset={setOffset} /> : null}
      {!data && !error ? <p>Loading…</p> : null}
      {can(session, 'edit-records') ? <NewContact /> : null}
    </>
  );
}

function NewContact() {
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let id = 0;
    if (await run(async () => (id = (await createContact({ email, firstName, lastName })).id))) {
      navigate(`/contacts/${id}`);
    }
  };
  return (
    <form className="create" onSubmit={(e) => void submit(e)} aria-labelledby="new-contact">
      <h2 id="new-contact">New contact</h2>
      <div className="form-row">
        <label>
          Email
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          First name
          <input value={firstName} onChange={(e) => setFirstName(e.target.value)} />
        </label>
        <label>
          Last name
          <input value={lastName} onChange={(e) => setLastName(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Create contact
        </button>
      </div>
      {error ? <ErrorMessage error={error} title="The contact was not created." /> : null}
    </form>
  );
}
