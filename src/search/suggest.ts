import { recordTypes } from '../core/catalog/index.js';
import { lookupKey } from '../core/catalog/lookup-key.js';

/**
 * "Did you mean …" for a record type name nobody knows: names that contain what was typed (or are
 * contained in it), then names within a small edit distance. At most `max`, best first.
 */
export function closeRecordTypeNames(input: string, max = 5): string[] {
  return closeNames(
    input,
    recordTypes().map((t) => t.name),
    max,
  );
}

/** The same "did you mean" over any list of names (operations, workloads, users). */
export function closeNames(input: string, names: Iterable<string>, max = 5): string[] {
  const key = lookupKey(input);
  if (key.length < 2) return [];
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(names)) {
    const candidate = lookupKey(name);
    const contains = candidate.includes(key) || key.includes(candidate);
    const distance = contains ? 0 : editDistance(key, candidate);
    const allowed = Math.max(2, Math.floor(key.length / 4));
    if (contains || distance <= allowed)
      scored.push({ name, score: contains ? Math.abs(candidate.length - key.length) / 100 : distance });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** Levenshtein distance, two rows of memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
