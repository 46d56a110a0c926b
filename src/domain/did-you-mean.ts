import { distance } from 'fastest-levenshtein';
import { foldCase } from './text.js';

/**
 * The candidate closest to `value` when it is close enough to be a likely typo (a case-only difference,
 * or an edit distance of at most a third of the length, 3 at most), else undefined.
 */
export function closestMatch(value: string, candidates: Iterable<string>): string | undefined {
  const folded = foldCase(value);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(folded, foldCase(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.min(3, Math.max(1, Math.floor(value.length / 3)));
  return bestDistance <= limit ? best : undefined;
}
