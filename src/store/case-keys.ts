/**
 * The stored keys equal to a label but for case, found by seeks on a key index rather than by listing every key.
 * Import labels are matched without regard to case (search/tenants.ts storedKeys), while the records keep their
 * tenant column byte for byte (its indexes serve every search): a store with thousands of tenants listed them all
 * for each such look-up. The keys that can match are walked instead, one character at a time, each prefix tried in
 * its case forms and kept only while some stored key begins with it: `smallestFrom(p)`, the least stored key ≥ p in
 * code point order (one index seek), begins with p exactly when any key does, and is p itself when p is stored. A
 * look-up costs about two seeks per character of the label for each key that matches, whatever the number of tenants.
 *
 * "Equal but for case" is `a.toLowerCase() === b.toLowerCase()`, as before. A character is tried in every form one
 * character long that lower-cases or upper-cases alike (K, k and the Kelvin sign K; σ, ς and Σ); a key that matches
 * only through a one-to-many mapping (İ, whose lower case is two characters) is not found.
 */
export async function keysAlike(
  label: string,
  smallestFrom: (from: string) => Promise<string | null>,
): Promise<string[]> {
  // Found in the order the forms are tried; sorted at the end.
  const lower = label.toLowerCase();
  const positions = [...label].map(formsOf);
  const found: string[] = [];
  const walk = async (prefix: string, at: number): Promise<void> => {
    for (const form of positions[at]!) {
      const next = prefix + form;
      const least = await smallestFrom(next);
      if (least === null || !least.startsWith(next)) continue;
      if (at + 1 < positions.length) await walk(next, at + 1);
      else if (least === next && next.toLowerCase() === lower) found.push(next);
    }
  };
  if (positions.length > 0) await walk('', 0);
  return found.sort(byCodePoint);
}

/** Code point order, the stores' order of keys (UTF-16 order differs past U+FFFF). */
function byCodePoint(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** One character's forms: every character whose lower or upper case is the same as its own (at least itself). */
function formsOf(char: string): string[] {
  const forms = new Set([char]);
  for (const form of [char.toLowerCase(), char.toUpperCase()]) if ([...form].length === 1) forms.add(form);
  for (const key of [char.toLowerCase(), char.toUpperCase().toLowerCase()])
    for (const other of classes().get(key) ?? []) forms.add(other);
  return [...forms];
}

let byFold: Map<string, string[]> | null = null;

/**
 * Every character of the Basic Multilingual Plane whose case forms are one character, grouped by its lower case and
 * by its upper case's lower case (so ς joins σ through Σ); the supplementary planes' case pairs (Deseret, Adlam …)
 * are joined through the character itself. Built once, on the first look-up (65,536 characters, a few ms).
 */
function classes(): Map<string, string[]> {
  if (byFold) return byFold;
  const out = new Map<string, string[]>();
  const add = (key: string, char: string): void => {
    const list = out.get(key);
    if (!list) out.set(key, [char]);
    else if (!list.includes(char)) list.push(char);
  };
  for (let cp = 0; cp <= 0xffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const char = String.fromCharCode(cp);
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    if (lower === char && upper === char) continue;
    for (const key of [lower, upper.toLowerCase()]) if ([...key].length === 1) add(key, char);
    for (const form of [lower, upper]) if ([...form].length === 1) add(lower, form);
  }
  byFold = out;
  return out;
}
