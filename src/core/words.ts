/**
 * Counts in words, for every sentence a person reads: the CLI's lines, the ledger's and sinks' last errors,
 * posture findings. "1 blob(s) could not be fetched" hedged where the number was known.
 */

/**
 * The plural of a noun: "policy" → "policies", "dead letter" → "dead letters", "match" → "matches", "pass" →
 * "passes" (appending an s printed "3 policys").
 */
export function pluralOf(noun: string): string {
  if (/[^aeiou]y$/i.test(noun)) return `${noun.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

/**
 * A count and its noun as a sentence says it: "1 record", "0 records", "1,234 records" (a dry run said
 * "Would remove 1 records"). Every count the CLI prints in words goes through here.
 */
export function countOf(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : pluralOf(noun)}`;
}
