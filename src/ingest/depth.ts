/**
 * How deep a JSON record nests, checked before anything recursive walks it (issue 18.9). JSON.parse
 * copes with deep input, but the derived Id's canonical form, JSON.stringify in every output format
 * and the reports' readers recurse, and a record 100,000 levels deep ran them out of stack. Both checks
 * stop as soon as the limit is passed and cost next to nothing for ordinary records.
 */
export const TOO_DEEP =
  'the record nests objects or arrays more than 64 levels deep: no audit record does; refused so that no reader of it can crash';

/** True when the JSON text opens more than `max` objects/arrays inside each other (brackets in strings ignored). */
export function nestedDeeperThan(text: string, max: number): boolean {
  // Fewer than `max` opening brackets in all cannot nest deeper: two native searches settle most records.
  let opened = 0;
  for (let at = text.indexOf('{'); at >= 0 && opened <= max; at = text.indexOf('{', at + 1)) opened++;
  for (let at = text.indexOf('['); at >= 0 && opened <= max; at = text.indexOf('[', at + 1)) opened++;
  if (opened <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** True when a parsed value nests more than `max` levels (walked with an explicit stack, not recursion). */
export function objectDeeperThan(value: unknown, max: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length) {
    const top = stack.pop()!;
    if (top.value === null || typeof top.value !== 'object') continue;
    if (top.depth + 1 > max) return true;
    for (const child of Object.values(top.value as Record<string, unknown>))
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: top.depth + 1 });
  }
  return false;
}
