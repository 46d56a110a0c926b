import { useEffect, useRef, type ReactNode } from 'react';
import { useTitle } from './use-title';

/**
 * The page's h1, focused when the page opens: after a navigation, keyboard and screen reader users start
 * at the new page's title instead of the link they left behind.
 */
export function PageTitle({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useTitle(title);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}
