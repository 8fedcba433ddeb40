/**
 * Bounded JSON (issue 18.9): JSON.parse copes with deep input, but whatever walks the result
 * recursively (JSON.stringify in every output format, the derived Id's canonical form, the rules' field
 * walker, the reports' readers) ran a record 100,000 levels deep out of stack. Records are refused at
 * ingest past MAX_JSON_DEPTH (ingest/depth.ts); records stored before that bound, and JSON text held
 * inside a record's string values (ModifiedProperties, OperationProperties), are read back only
 * through parseBoundedJson, so no reader of stored records can crash on one.
 */
export const MAX_JSON_DEPTH = 64;

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

/**
 * JSON.parse for text read back from storage or from inside a record: undefined when the text is not
 * JSON or nests deeper than MAX_JSON_DEPTH (JSON itself never parses to undefined).
 */
export function parseBoundedJson(text: string): unknown {
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Whether an object key is an OData annotation (`@odata.type`, `Prop@odata.type`): Graph's description of a
 * value, not part of an audit record (ingest/normalize.ts drops them; store/conflicts.ts sets them aside).
 */
export function isODataAnnotation(key: string): boolean {
  return key.includes('@odata.');
}
