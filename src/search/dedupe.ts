/** Lists of filter values without repeats, the first spelling kept (search/filters.ts, search/free-text.ts). */
export function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

/** Keeps the first spelling of values that differ only in case (they match the same records). */
export function dedupeCaseless(list: string[]): string[] {
  return dedupeBy(list, (v) => v.toLowerCase());
}

export function dedupeBy<T>(list: T[], key: (v: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const k = key(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
