import { useEffect } from 'react';

/** Sets the document title, so tabs and history entries say which page they are. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Roster`;
  }, [title]);
}
