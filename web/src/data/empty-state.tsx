import type { ReactNode } from 'react';

/** What a list says when there is nothing in it yet: what to create first, and where. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}
