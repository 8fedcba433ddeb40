/**
 * The tell-tale signs of a malicious inbox rule (Elastic's "new inbox rule delete or move" and
 * "obfuscated name" rules, Sigma's suspicious inbox rule rule, all in shared/corpus): folders people
 * do not look in, deletion, mark-as-read, and names that say nothing.
 */
import type { RuleFacts } from './mail-rules.js';

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

/**
 * What makes a rule or forwarding change suspicious, in plain words: forwarding or redirecting to
 * `outside` addresses (those the caller found outside the organization: analysis/domains.ts), deleting,
 * hiding in an obscure folder, marking as read, a meaningless name. Empty when nothing is suspicious.
 */
export function ruleSigns(f: RuleFacts, outside: readonly string[]): string[] {
  const out: string[] = [];
  const external = (list: string[]) => list.filter((a) => outside.includes(a));
  if (external(f.forwardTo).length)
    out.push(`forwards outside the organization to ${external(f.forwardTo).join(', ')}`);
  if (external(f.redirectTo).length)
    out.push(`redirects outside the organization to ${external(f.redirectTo).join(', ')}`);
  if (f.deletes) out.push('deletes messages');
  if (f.moveTo && isObscureFolder(f.moveTo)) out.push(`moves messages to ${f.moveTo}`);
  if (f.markAsRead) out.push('marks messages as read');
  if (isMeaninglessName(f.name)) out.push(`meaningless rule name "${f.name}"`);
  return out;
}
