import { formatNumber } from '../ui/format';
import type { Page } from './api';

/** "1–50 of 230" with Previous and Next; nothing when everything fits on one page. */
export function Pager({ page, onOffset }: { page: Page<unknown>; onOffset: (offset: number) => void }) {
  if (page.total <= page.limit && page.offset === 0) return null;
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = Math.min(page.offset + page.limit, page.total);
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={page.offset === 0} onClick={() => onOffset(Math.max(0, page.offset - page.limit))}>
        Previous
      </button>
      <span aria-live="polite">
        {formatNumber(first)}–{formatNumber(last)} of {formatNumber(page.total)}
      </span>
      <button type="button" disabled={last >= page.total} onClick={() => onOffset(page.offset + page.limit)}>
        Next
      </button>
    </nav>
  );
}
