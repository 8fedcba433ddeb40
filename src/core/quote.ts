/**
 * The characters that change the order text is shown in without showing themselves: the explicit embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the direction marks (U+200E, U+200F, U+061C).
 * Quoted in an error, "ab\u202Ecd" reads "abdc" in the console and in a terminal (CVE-2021-42574, "Trojan
 * Source"), so the message no longer says what was sent.
 */
const DIRECTION_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Each direction control as the escape a person can read and type back: "ab\u202Ecd" → "ab\\u202Ecd". */
export function showDirectionControls(text: string): string {
  return text.replace(DIRECTION_CONTROLS, escape);
}

/** What JSON.stringify leaves as it is and a terminal or the console would still act on: C1 controls, U+2028/9. */
const UNSEEN = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * Input as an error message quotes it: as a JSON string (so a quote, a backslash or a control character in it is
 * escaped and the quote's end is where it seems), cut after `max` characters, and each direction control and
 * other unseen character escaped too. Every message that repeats what a request or a flag gave quotes it with
 * this, so no call site has to remember which characters mislead.
 */
export function quoted(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max - 3)}...` : text;
  return showDirectionControls(JSON.stringify(cut)).replace(UNSEEN, escape);
}

function escape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
