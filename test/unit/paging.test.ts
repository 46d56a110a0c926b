import { describe, expect, it } from 'vitest';
import { totalOf } from '../../src/domain/paging.js';

describe('a page’s total', () => {
  const counted = (n: number) => {
    const count = { calls: 0, fn: async () => (count.calls++, n) };
    return count;
  };

  it('is read off a window shorter than the limit, without counting', async () => {
    const count = counted(999);
    expect(await totalOf(['a', 'b'], { limit: 50, offset: 0 }, count.fn)).toBe(2);
    expect(await totalOf(['a', 'b'], { limit: 50, offset: 100 }, count.fn)).toBe(102);
    expect(await totalOf([], { limit: 50, offset: 0 }, count.fn)).toBe(0);
    expect(count.calls).toBe(0);
  });

  it('is counted when the window is full, or empty past the start', async () => {
    const count = counted(120);
    expect(await totalOf(['a', 'b'], { limit: 2, offset: 0 }, count.fn)).toBe(120);
    expect(await totalOf([], { limit: 50, offset: 500 }, count.fn)).toBe(120);
    expect(count.calls).toBe(2);
  });
});
