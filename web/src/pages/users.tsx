import { useState, type FormEvent } from 'react';
import type { Session } from '../api/types';
import { createUser, listUsers, updateUser, type Role, type User } from '../data/api';
import { Denied } from '../data/denied';
import { Pager } from '../data/pager';
import { can, whyNot } from '../data/roles';
import { SelectField } from '../data/select-field';
import { useAction, useLoad } from '../data/use-load';
import { ErrorMessage } from '../ui/error-message';
import { plural } from '../ui/format';
import { PageTitle } from '../ui/page-title';

const PAGE = 100;

/** Users of the workspace (admins only): invite with a password, change role, deactivate. */
export function UsersPage({ session }: { session: Session }) {
  const [offset, setOffset] = useState(0);
  const [round, setRound] = useState(0);
  const reload = () => setRound((r) => r + 1);
  const admin = can(session, 'manage-users');
  const { data, error } = useLoad(
    () => (admin ? listUsers({ limit: PAGE, offset }) : Promise.resolve(null)),
    `${offset}|${round}`,
  );
  if (!admin) {
    return (
      <>
        <PageTitle title="Users" />
        <Denied>{whyNot(session, 'see and manage users')}</Denied>
      </>
    );
  }
  return (
    <>
      <PageTitle title="Users" />
      <p>
        The people who sign in to this workspace. An <strong>admin</strong> does everything; a{' '}
        <strong>member</strong> imports (every kind but users), applies and undoes its own imports, and edits
        customers and contacts.
      </p>
      <NewUser onCreated={reload} />
      {error ? <ErrorMessage error={error} title="The users could not be loaded." /> : null}
      {data && data.items.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="users-caption" tabIndex={0}>
          <table className="records">
            <caption id="users-caption">{plural(data.total, 'user')}</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((u) => (
                <UserRow key={u.id} user={u} self={u.id === session.user.id} onChanged={reload} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {data ? <Pager page={data} onOffset={setOffset} /> : null}
    </>
  );
}

function UserRow({ user, self, onChanged }: { user: User; self: boolean; onChanged: () => void }) {
  const { busy, error, run } = useAction();
  const change = async (body: { role?: Role; active?: boolean }) => {
    if (await run(() => updateUser(user.id, body))) onChanged();
  };
  return (
    <tr>
      <td>
        {user.email}
        {self ? <span className="muted"> (you)</span> : null}
        {error ? <ErrorMessage error={error} title="Not changed." /> : null}
      </td>
      <td>{[user.firstName, user.lastName].filter(Boolean).join(' ') || <span className="muted">—</span>}</td>
      <td>
        <select
          aria-label={`Role of ${user.email}`}
          value={user.role}
          disabled={busy}
          onChange={(e) => void change({ role: e.target.value as Role })}
        >
          <option value="admin">admin</option>
          <option value="member">member</option>
        </select>
      </td>
      <td>
        <span className={`badge ${user.active ? 'run-completed' : 'run-failed'}`}>
          {user.active ? 'active' : 'inactive'}
        </span>{' '}
        {self ? null : (
          <button
            type="button"
            className="link"
            disabled={busy}
            onClick={() => void change({ active: !user.active })}
          >
            {user.active ? 'Deactivate' : 'Activate'}
          </button>
        )}
      </td>
    </tr>
  );
}

function NewUser({ onCreated }: { onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [created, setCreated] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    const ok = await run(() =>
      createUser({ email, password, role, firstName: firstName || null, lastName: lastName || null }),
    );
    if (ok) {
      setCreated(email);
      setEmail('');
      setPassword('');
      setFirstName('');
      setLastName('');
      onCreated();
    }
  };
  return (
    <form className="create" onSubmit={(e) => void submit(e)} aria-labelledby="new-user">
      <h2 id="new-user">Invite a user</h2>
      <div className="form-row">
        <label>
          Email
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          Password <span className="muted">(at least 6 characters; tell them)</span>
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <label>
          First name
          <input value={firstName} onChange={(e) => setFirstName(e.target.value)} />
        </label>
        <label>
          Last name
          <input value={lastName} onChange={(e) => setLastName(e.target.value)} />
        </label>
        <SelectField label="Role" value={role} onChange={(v) => setRole(v as Role)}>
          <option value="member">member</option>
          <option value="admin">admin</option>
        </SelectField>
        <button type="submit" className="primary" disabled={busy}>
          Create user
        </button>
      </div>
      {created ? (
        <p className="ok" role="status">
          {created} can sign in now.
        </p>
      ) : null}
      {error ? <ErrorMessage error={error} title="The user was not created." /> : null}
    </form>
  );
}
