import { useState, type FormEvent } from 'react';
import type { Session } from '../api/types';
import { createToken, listTokens, revokeToken, type ApiToken } from '../data/api';
import { Denied } from '../data/denied';
import { EmptyState } from '../data/empty-state';
import { can, whyNot } from '../data/roles';
import { useAction, useLoad } from '../data/use-load';
import { ErrorMessage } from '../ui/error-message';
import { formatDate } from '../ui/format';
import { PageTitle } from '../ui/page-title';

/** API tokens of the workspace (admins only): create one (shown once), revoke. */
export function TokensPage({ session }: { session: Session }) {
  const [round, setRound] = useState(0);
  const reload = () => setRound((r) => r + 1);
  const admin = can(session, 'manage-users');
  const { data, error } = useLoad(() => (admin ? listTokens() : Promise.resolve(null)), String(round));
  if (!admin) {
    return (
      <>
        <PageTitle title="API tokens" />
        <Denied>{whyNot(session, 'see and manage API tokens')}</Denied>
      </>
    );
  }
  return (
    <>
      <PageTitle title="API tokens" />
      <p>
        Scripts and other systems call the HTTP API with a token: <code>Authorization: Bearer …</code>. The
        API is described at <a href="/api/openapi.json">/api/openapi.json</a>.
      </p>
      <NewToken onCreated={reload} />
      {error ? <ErrorMessage error={error} title="The tokens could not be loaded." /> : null}
      {data && data.items.length === 0 ? (
        <EmptyState title="No tokens yet.">
          <p>Create one above for each script or system, so each can be revoked on its own.</p>
        </EmptyState>
      ) : null}
      {data && data.items.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="tokens-caption" tabIndex={0}>
          <table className="records">
            <caption id="tokens-caption">Tokens, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((t) => (
                <TokenRow key={t.id} token={t} onRevoked={reload} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

function TokenRow({ token, onRevoked }: { token: ApiToken; onRevoked: () => void }) {
  const { busy, error, run } = useAction();
  const revoke = async () => {
    if (!window.confirm(`Revoke the token ${token.name}? What uses it stops working at once.`)) return;
    if (await run(() => revokeToken(token.id))) onRevoked();
  };
  return (
    <tr>
      <td>
        {token.name}
        {error ? <ErrorMessage error={error} title="Not revoked." /> : null}
      </td>
      <td>
        <code>{token.prefix}…</code>
      </td>
      <td>{formatDate(token.createdAt)}</td>
      <td>{token.lastUsedAt ? formatDate(token.lastUsedAt) : <span className="muted">never</span>}</td>
      <td>
        {token.revokedAt ? (
          <span className="badge run-failed">revoked {formatDate(token.revokedAt)}</span>
        ) : (
          <button type="button" className="link" disabled={busy} onClick={() => void revoke()}>
            Revoke
          </button>
        )}
      </td>
    </tr>
  );
}

function NewToken({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setShown(null);
    const ok = await run(async () => {
      const created = await createToken(name);
      setShown({ name: created.listed.name, token: created.token });
    });
    if (ok) {
      setName('');
      onCreated();
    }
  };
  return (
    <form className="create inline-form" onSubmit={(e) => void submit(e)}>
      <label>
        What the token is for
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. nightly sync"
          required
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Create token
      </button>
      {error ? <ErrorMessage error={error} title="No token was created." /> : null}
      {shown ? (
        <div className="notice warning token-once" role="status">
          <p>
            <strong>The token “{shown.name}”, shown this once:</strong> copy it now; Roster keeps only a hash
            of it.
          </p>
          <p>
            <code className="token">{shown.token}</code>{' '}
            <button type="button" onClick={() => void navigator.clipboard?.writeText(shown.token)}>
              Copy
            </button>
          </p>
        </div>
      ) : null}
    </form>
  );
}
