import { useState, type FormEvent } from 'react';
import type { Session } from '../api/types';
import {
  contactHistory,
  deleteContact,
  getContact,
  listCustomers,
  listFields,
  listLabels,
  listPositions,
  setLink,
  updateContact,
  type Contact,
  type CustomField,
  type Label,
} from '../data/api';
import { HistoryList } from '../data/history-list';
import { PersonRow } from '../data/person-row';
import { can } from '../data/roles';
import { useAction, useLoad } from '../data/use-load';
import { ErrorMessage } from '../ui/error-message';
import { PageTitle } from '../ui/page-title';
import { Link, navigate } from '../ui/router';

/**
 * One contact: its fields, labels and custom field values (saved with the checks of an import, so a bad
 * value gets the import's message), its customers with position and primary mark, and its history.
 */
export function ContactPage({ id, session }: { id: number; session: Session }) {
  const [version, setVersion] = useState(0);
  const [saved, setSaved] = useState(false);
  const changed = () => setVersion((v) => v + 1);
  const contact = useLoad(() => getContact(id), `${id}|${version}`);
  const labels = useLoad(() => listLabels({ limit: 500 }), 'labels');
  const fields = useLoad(() => listFields({ limit: 500 }), 'fields');
  const positions = useLoad(() => listPositions({ limit: 500 }), 'positions');
  const editable = can(session, 'edit-records');
  const c = contact.data;
  return (
    <>
      <PageTitle title={c ? c.email : 'Contact'} />
      <p>
        <Link to="/contacts">All contacts</Link>
      </p>
      {contact.error ? <ErrorMessage error={contact.error} /> : null}
      {c && labels.data && fields.data ? (
        <ContactForm
          key={`${c.id}|${c.updatedAt}`}
          contact={c}
          labels={labels.data.items}
          fields={fields.data.items}
          editable={editable}
          onSaving={() => setSaved(false)}
          onSaved={() => {
            setSaved(true);
            changed();
          }}
        />
      ) : null}
      {saved ? (
        <p className="ok" role="status">
          Saved.
        </p>
      ) : null}
      {c ? (
        <>
          <section aria-labelledby="customers-title">
            <h2 id="customers-title">Customers</h2>
            {c.customers.length === 0 ? <p className="muted">Not linked to any customer.</p> : null}
            {c.customers.length > 0 ? (
              <div className="table-scroll" role="region" aria-labelledby="links-caption" tabIndex={0}>
                <table className="records">
                  <caption id="links-caption">The customers {c.email} is a person of</caption>
                  <thead>
                    <tr>
                      <th scope="col">Customer</th>
                      <th scope="col">Position</th>
                      <th scope="col">Primary</th>
                      {editable ? <th scope="col">Link</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {c.customers.map((l) => (
                      <PersonRow
                        key={`${l.customerId}|${l.position}|${l.primary}`}
                        contactId={c.id}
                        customerId={l.customerId}
                        position={l.position}
                        primary={l.primary}
                        title={
                          <>
                            <Link to={`/customers/${l.customerId}`}>{l.ref}</Link> <span>{l.name}</span>
                          </>
                        }
                        positions={positions.data?.items ?? []}
                        editable={editable}
                        onChanged={changed}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            {editable ? <LinkCustomer contact={c} onLinked={changed} /> : null}
          </section>
          <HistoryList load={() => contactHistory(id)} version={`${id}|${version}`} />
          {editable ? <DeleteContact contact={c} /> : null}
        </>
      ) : null}
      {!contact.error && !(c && labels.data && fields.data) ? <p>Loading…</p> : null}
    </>
  );
}

function ContactForm({
  contact,
  labels,
  fields,
  editable,
  onSaving,
  onSaved,
}: {
  contact: Contact;
  labels: Label[];
  fields: CustomField[];
  editable: boolean;
  onSaving: () => void;
  onSaved: () => void;
}) {
  const [email, setEmail] = useState(contact.email);
  const [firstName, setFirstName] = useState(contact.firstName ?? '');
  const [lastName, setLastName] = useState(contact.lastName ?? '');
  const [chosen, setChosen] = useState(new Set(contact.labels.map((l) => l.name)));
  const [values, setValues] = useState<Record<string, string>>({ ...contact.fields });
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    onSaving();
    // Only the values that changed are sent; a blank one clears the field.
    const changedFields = Object.fromEntries(
      fields
        .filter((f) => (values[f.variable] ?? '') !== (contact.fields[f.variable] ?? ''))
        .map((f) => [f.variable, values[f.variable]?.trim() ? values[f.variable]! : null]),
    );
    const ok = await run(() =>
      updateContact(contact.id, {
        email,
        firstName: firstName || null,
        lastName: lastName || null,
        labels: [...chosen],
        fields: changedFields,
      }),
    );
    if (ok) onSaved();
  };
  return (
    <form className="record-form" onSubmit={(e) => void submit(e)} aria-label="Contact">
      <fieldset disabled={!editable}>
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
        </div>
      </fieldset>
      <fieldset disabled={!editable} className="labels">
        <legend>Labels</legend>
        {labels.length === 0 ? (
          <p className="muted">
            No labels yet: <Link to="/labels">create them</Link> to tag contacts.
          </p>
        ) : (
          <div className="filter">
            {labels.map((l) => (
              <label key={l.id}>
                <input
                  type="checkbox"
                  checked={chosen.has(l.name)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.target.checked) next.add(l.name);
                    else next.delete(l.name);
                    setChosen(next);
                  }}
                />
                {l.name}
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <fieldset disabled={!editable}>
        <legend>Custom fields</legend>
        {fields.length === 0 ? (
          <p className="muted">
            No custom fields yet: <Link to="/fields">create one</Link> and imports can fill it.
          </p>
        ) : (
          <div className="form-grid">
            {fields.map((f) => (
              <label key={f.id}>
                {f.label || f.variable}{' '}
                <span className="muted field-type">
                  {f.variable} · {f.type}
                </span>
                <input
                  value={values[f.variable] ?? ''}
                  placeholder={PLACEHOLDERS[f.type]}
                  onChange={(e) => setValues({ ...values, [f.variable]: e.target.value })}
                />
              </label>
            ))}
          </div>
        )}
      </fieldset>
      {editable ? (
        <button type="submit" className="primary" disabled={busy}>
          Save contact
        </button>
      ) : null}
      {error ? <ErrorMessage error={error} title="Not saved." /> : null}
    </form>
  );
}

const PLACEHOLDERS: Record<CustomField['type'], string> = {
  text: '',
  number: 'e.g. -12.5',
  boolean: 'true or false',
  date: 'YYYY-MM-DD',
};

/** Links the contact to a customer named by its ref, exactly as an import names it. */
function LinkCustomer({ contact, onLinked }: { contact: Contact; onLinked: () => void }) {
  const [ref, setRef] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await run(async () => {
      const found = (await listCustomers({ q: ref, limit: 50 })).items.find((c) => c.ref === ref.trim());
      if (!found)
        throw new Error(`No customer with ref "${ref.trim()}" (refs match exactly, as in an import).`);
      await setLink(contact.id, found.id, {});
    });
    if (ok) {
      setRef('');
      onLinked();
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)}>
      <label>
        Link to the customer with ref
        <input value={ref} onChange={(e) => setRef(e.target.value)} required />
      </label>
      <button type="submit" disabled={busy}>
        Link
      </button>
      {error ? <ErrorMessage error={error} title="Not linked." /> : null}
    </form>
  );
}

function DeleteContact({ contact }: { contact: Contact }) {
  const { busy, error, run } = useAction();
  const remove = async () => {
    const sure = window.confirm(`Delete ${contact.email} with its links, labels and values?`);
    if (sure && (await run(() => deleteContact(contact.id)))) navigate('/contacts');
  };
  return (
    <section className="danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
        Delete this contact…
      </button>
      {error ? <ErrorMessage error={error} title="Not deleted." /> : null}
    </section>
  );
}
