import { useState, type FormEvent } from 'react';
import { errorOf, type ApiError } from '../api/client';
import { signIn } from '../api/roster';
import type { Session } from '../api/types';
import { ErrorMessage } from '../ui/error-message';
import { PageTitle } from '../ui/page-title';

/** Email and password of an internal user; the workspace only when the email belongs to several. */
export function SignInPage({
  notice,
  onSignedIn,
}: {
  notice: string | null;
  onSignedIn: (s: Session) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [askWorkspace, setAskWorkspace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(
        await signIn({ email, password, ...(workspace.trim() ? { workspace: workspace.trim() } : {}) }),
      );
    } catch (err) {
      const failure = errorOf(err);
      if (failure.code === 'workspace_required') setAskWorkspace(true);
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <div className="brand big" aria-hidden="true">
        Roster
      </div>
      <PageTitle title="Sign in" />
      {notice && !error ? (
        <p className="notice warning" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Email
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {askWorkspace ? (
          <label>
            Workspace
            <input
              name="workspace"
              required
              value={workspace}
              onChange={(e) => setWorkspace(e.target.value)}
              aria-describedby="workspace-help"
            />
            <span id="workspace-help" className="muted">
              The short name of the workspace (its slug), for example <code>demo</code>.
            </span>
          </label>
        ) : null}
        {error ? <ErrorMessage error={error} title="Not signed in." /> : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
