import { useState, type FormEvent } from 'react';
import type { Session } from '../api/types';
import { createCustomer, exportUrl, listCustomers } from '../data/api';
import { EmptyState } from '../data/empty-state';
import { can } from '../data/roles';
import { SelectField } from '../data/select-field';
import { Pager } from '../data/pager';
import { useAction, useDebounced, useLoad } from '../data/use-load';
import { ErrorMessage } from '../ui/error-message';
import { formatNumber } from '../ui/format';
import { PageTitle } from '../ui/page-title';
import { Link, navigate } from '../ui/router';

const PAGE = 50;

/** Customers: search by ref, erp id or name, sort by ref or name, page; create one; export. */
export function CustomersPage({ session }: { session: Session }) {
  const [q, setQ] = useState('');
  const [sort, setSort] = useState<'ref' | 'name'>('ref');
  const [offset, setOffset] = useState(0);
  const search = useDebounced(q);
  const { data, error, loading } = useLoad(
    // The answer carries what it was asked for, so the caption describes the rows shown, not the next ones.
    async () => ({ ...(await listCustomers({ q: search, sort, limit: PAGE, offset })), search, sort }),
    `${search}|${sort}|${offset}`,
  );
  const empty = data && data.total === 0 && !search;
  return (
    <>
      <PageTitle title="Customers" />
      <div className="list-tools">
        <label className="search">
          Search
          <input
            type="search"
            value={q}
            placeholder="ref, erp id or name"
            onChange={(e) => {
              setQ(e.target.value);
              setOffset(0);
            }}
          />
        </label>
        <SelectField label="Sort by" value={sort} onChange={(v) => setSort(v as 'ref' | 'name')}>
          <option value="ref">ref</option>
          <option value="name">name</option>
        </SelectField>
        <p className="downloads">
          Download as CSV: <a href={exportUrl('customers')}>customers</a> ·{' '}
          <a href={exportUrl('persons')}>persons</a>
        </p>
      </div>
      {error ? <ErrorMessage error={error} title="The customers could not be loaded." /> : null}
      {empty ? (
        <EmptyState title="No customers yet.">
          <p>
            Import a file of customers (kind <code>customers</code>: ref, name, erp_id) on the{' '}
            <Link to="/">new import</Link> page, or create the first one below. Contacts name their customer
            by its ref.
          </p>
        </EmptyState>
      ) : null}
      {data && data.total === 0 && search ? <p>No customer matches “{search}”.</p> : null}
      {data && data.items.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="customers-caption" tabIndex={0}>
          <table className="records" aria-busy={loading}>
            <caption id="customers-caption">
              {formatNumber(data.total)} customer{data.total === 1 ? '' : 's'}
              {data.search ? ` matching “${data.search}”` : ''}, by {data.sort}
            </caption>
            <thead>
              <tr>
                <th scope="col">Ref</th>
                <th scope="col">Name</th>
                <th scope="col">ERP id</th>
                <th scope="col">Persons</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/customers/${c.id}`}>{c.ref}</Link>
                  </td>
                  <td>{c.name}</td>
                  <td>{c.erpId ?? <span className="muted">—</span>}</td>
                  <td className="num">{formatNumber(c.contacts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {data ? <Pager page={data} onOffset={setOffset} /> : null}
      {!data && !error ? <p>Loading…</p> : null}
      {can(session, 'edit-records') ? <NewCustomer /> : null}
    </>
  );
}

function NewCustomer() {
  const [ref, setRef] = useState('');
  const [name, setName] = useState('');
  const [erpId, setErpId] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let id = 0;
    if (await run(async () => (id = (await createCustomer({ ref, name, erpId: erpId || null })).id))) {
      navigate(`/customers/${id}`);
    }
  };
  return (
    <form className="create" onSubmit={(e) => void submit(e)} aria-labelledby="new-customer">
      <h2 id="new-customer">New customer</h2>
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
          ERP id <span className="muted">(optional)</span>
          <input value={erpId} onChange={(e) => setErpId(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Create customer
        </button>
      </div>
      {error ? <ErrorMessage error={error} title="The customer was not created." /> : null}
    </form>
  );
}
