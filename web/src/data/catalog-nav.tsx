import { Link } from '../ui/router';

const PAGES = [
  ['/positions', 'Positions'],
  ['/labels', 'Labels'],
  ['/fields', 'Custom fields'],
] as const;

/** The three lists that imports refer to, one tab each. */
export function CatalogNav({ path }: { path: string }) {
  return (
    <nav className="tabs" aria-label="What imports refer to">
      {PAGES.map(([to, name]) => (
        <Link key={to} to={to} aria-current={path === to ? 'page' : undefined}>
          {name}
        </Link>
      ))}
    </nav>
  );
}
