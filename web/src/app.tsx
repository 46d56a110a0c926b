import { useEffect, useState } from 'react';
import { errorOf, setCsrfToken, setSignedOutHandler, type ApiError } from './api/client';
import { getSession, signOut } from './api/roster';
import type { Session } from './api/types';
import { HistoryPage } from './pages/history';
import { NewImportPage } from './pages/new-import';
import { RunPage } from './pages/run-page';
import { SignInPage } from './pages/sign-in';
import { ErrorMessage } from './ui/error-message';
import { PageTitle } from './ui/page-title';
import { Link, navigate, usePath } from './ui/router';

/** The session (signed in or not) and the page the path names. */
export function App() {
  // undefined: not known yet; null: signed out.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const path = usePath();

  useEffect(() => {
    getSession().then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setSession(s);
      },
      (err: unknown) => {
        const e = errorOf(err);
        if (e.status === 401) setSession(null);
        else setLoadError(e);
      },
    );
    setSignedOutHandler(() => {
      setCsrfToken(null);
      setSession(null);
      setNotice('Your session has ended. Sign in again to go on.');
    });
    return () => setSignedOutHandler(null);
  }, []);

  if (loadError) {
    return (
      <main id="main">
        <ErrorMessage error={loadError} title="Roster could not be reached.">
          <p>
            <button type="button" onClick={() => window.location.reload()}>
              Try again
            </button>
          </p>
        </ErrorMessage>
      </main>
    );
  }
  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(s) => {
          setCsrfToken(s.csrfToken);
          setNotice(null);
          setSession(s);
        }}
      />
    );
  }

  const leave = async () => {
    try {
      await signOut();
    } finally {
      setCsrfToken(null);
      setSession(null);
      setNotice('You are signed out.');
      navigate('/');
    }
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <Link to="/">Roster</Link>
          <span className="workspace" title={`Workspace ${session.workspace.slug}`}>
            {session.workspace.name}
          </span>
        </div>
        <nav aria-label="Main">
          <Link to="/" aria-current={path === '/' ? 'page' : undefined}>
            New import
          </Link>
          <Link to="/imports" aria-current={path.startsWith('/imports') ? 'page' : undefined}>
            History
          </Link>
        </nav>
        <div className="user">
          <span className="email">{session.user.email}</span>
          <button type="button" className="link" onClick={() => void leave()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" key={path}>
        <Page path={path} session={session} />
      </main>
    </>
  );
}

function Page({ path, session }: { path: string; session: Session }) {
  if (path === '/' || path === '/imports/new') return <NewImportPage session={session} />;
  if (path === '/imports' || path === '/imports/') return <HistoryPage />;
  const run = /^\/imports\/([^/]+)\/?$/.exec(path);
  if (run?.[1]) return <RunPage id={decodeURIComponent(run[1])} session={session} />;
  return (
    <>
      <PageTitle title="Not found" />
      <p>
        There is no page at <code>{path}</code>. <Link to="/">Start a new import</Link> or see the{' '}
        <Link to="/imports">history</Link>.
      </p>
    </>
  );
}
