import { describe, expect, it } from 'vitest';
import { nextBatches } from '../../src/imports/run-import.js';

describe('the batches of the next apply transaction', () => {
  it('doubles while a transaction commits well within a second', () => {
    expect(nextBatches(1, 20, 1000)).toBe(2);
    expect(nextBatches(8, 100, 1000)).toBe(16);
  });

  it('shrinks to what fits in a second when the last one took longer', () => {
    expect(nextBatches(16, 2000, 1000)).toBe(8);
    expect(nextBatches(10, 1250, 1000)).toBe(8);
  });

  it('never exceeds 50,000 rows, and is never less than one batch', () => {
    expect(nextBatches(40, 10, 1000)).toBe(50);
    expect(nextBatches(1, 1, 100_000)).toBe(1);
    expect(nextBatches(1, 60_000, 50)).toBe(1);
  });
});
