import { useEffect, useState, type ReactNode } from 'react';
import { errorOf, setCsrfToken, setSignedOutHandler, type ApiError } from './api/client';
import { getSession, signOut } from './api/roster';
import type { Session } from './api/types';
import { can } from './data/roles';
import { ContactPage } from './pages/contact';
import { ContactsPage } from './pages/contacts';
import { CustomerPage } from './pages/customer';
import { CustomersPage } from './pages/customers';
import { FieldsPage } from './pages/fields';
import { HistoryPage } from './pages/history';
import { LabelsPage } from './pages/labels';
import { PositionsPage } from './pages/positions';
import { TokensPage } from './pages/tokens';
import { UsersPage } from './pages/users';
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
          <NavLink to="/customers" path={path} name="Customers" />
          <NavLink to="/contacts" path={path} name="Contacts" />
          <NavLink to="/positions" path={path} name="Setup" also={['/labels', '/fields']} />
          {can(session, 'manage-users') ? (
            <>
              <NavLink to="/users" path={path} name="Users" />
              <NavLink to="/tokens" path={path} name="Tokens" />
            </>
          ) : null}
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

/** A link of the main navigation, current on its own pages (and on those `also` names). */
function NavLink({ to, path, name, also = [] }: { to: string; path: string; name: string; also?: string[] }) {
  const current = [to, ...also].some((p) => path === p || path.startsWith(`${p}/`));
  return (
    <Link to={to} aria-current={current ? 'page' : undefined}>
      {name}
    </Link>
  );
}

/** The data pages: a list at /<name>, one record at /<name>/<id>. */
const LISTS: Record<string, (p: { session: Session }) => ReactNode> = {
  customers: CustomersPage,
  contacts: ContactsPage,
  positions: PositionsPage,
  labels: LabelsPage,
  fields: FieldsPage,
  users: UsersPage,
  tokens: TokensPage,
};

function Page({ path, session }: { path: string; session: Session }) {
  if (path === '/' || path === '/imports/new') return <NewImportPage session={session} />;
  if (path === '/imports' || path === '/imports/') return <HistoryPage />;
  const run = /^\/imports\/([^/]+)\/?$/.exec(path);
  if (run?.[1]) return <RunPage id={decodeURIComponent(run[1])} session={session} />;
  const list = /^\/([a-z]+)\/?$/.exec(path);
  const List = list?.[1] ? LISTS[list[1]] : undefined;
  if (List) return <List session={session} />;
  const record = /^\/(customers|contacts)\/(\d+)\/?$/.exec(path);
  if (record?.[1] === 'customers') return <CustomerPage id={Number(record[2])} session={session} />;
  if (record?.[1] === 'contacts') return <ContactPage id={Number(record[2])} session={session} />;
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
