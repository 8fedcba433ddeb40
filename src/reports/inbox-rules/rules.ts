/**
 * The tell-tale signs of a malicious inbox rule (Elastic's "new inbox rule delete or move" and
 * "obfuscated name" rules, Sigma's suspicious inbox rule rule, all in shared/corpus): folders people
 * do not look in, deletion, mark-as-read, and names that say nothing.
 */
const OBSCURE_FOLDERS = [
  'rss',
  'rss feeds',
  'rss subscriptions',
  'archive',
  'conversation history',
  'historique des conversations',
  'junk email',
  'junk e-mail',
  'deleted items',
  'notes',
  'sync issues',
  'conflicts',
  'outbox',
];

export function isObscureFolder(folder: string): boolean {
  const name = folder
    .trim()
    .replace(/^[\\/:]+/, '')
    .toLowerCase();
  return OBSCURE_FOLDERS.some((f) => name === f || name.endsWith(`\\${f}`) || name.endsWith(`/${f}`));
}

/** One character, no letters or digits at all, or one character repeated ("...", "aaaa", "."). */
export function isMeaninglessName(name: string): boolean {
  const t = name.trim();
  if (t.length === 0) return false; // no name recorded (UpdateInboxRules often omits it): nothing to judge
  if ([...t].length <= 1) return true;
  if (!/[\p{L}\p{N}]/u.test(t)) return true;
  return new Set(t.toLowerCase().replace(/\s/g, '')).size === 1;
}

export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(true|1|\$true|yes)$/i.test(value.trim());
}

/** "a@x.com; b@y.org", "[\"a@x.com\"]", "smtp:a@x.com" → addresses. */
export function recipients(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[;,]/)
    .map((v) =>
      v
        .trim()
        .replace(/^"|"$/g, '')
        .replace(/^smtp:/i, ''),
    )
    .filter((v) => v.length > 0);
}
