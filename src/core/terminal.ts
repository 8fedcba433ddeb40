/**
 * Text for a terminal, from a record or a person: control characters (ESC, BEL, CR, LF, tab, C1, the Unicode
 * line and paragraph separators) and the bidirectional overrides become spaces. An escape sequence in a
 * UserId, an ObjectId or a note would otherwise set the window title, clear the screen or forge a line of
 * output; a bidi override would show the text in another order than it is. Only for human-readable output:
 * JSON, JSONL and CSV keep every character as stored.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(text: string): string {
  return text.replace(CONTROL, ' ');
}

/** terminalText for text of several lines: each line made safe, the line breaks kept. */
export function terminalLines(text: string): string {
  return text.split('\n').map(terminalText).join('\n');
}
