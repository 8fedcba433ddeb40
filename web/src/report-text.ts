/**
 * A report's description as the console shows it. The text is the CLI's too (`report ID --help`), so it names
 * parameters as flags (`--roles`, `--workload SharePoint`): the console names the form's field instead, which is
 * what the reader has in front of them. `label` gives a parameter's field label (undefined: not a parameter of
 * this report, left as it is).
 */
export function forConsole(text: string, label: (param: string) => string | undefined): string {
  return text.replace(/--([a-z][a-z0-9-]*)(?: ([A-Z][\w.-]*))?/g, (flag, name: string, value?: string) => {
    const field = label(name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    if (!field) return flag;
    return value ? `“${field}” set to ${value}` : `“${field}”`;
  });
}

/**
 * The description's first sentence, shown folded, and the rest, shown when unfolded. The whole text under its
 * first sentence read that sentence twice.
 */
export function splitDescription(text: string): { summary: string; rest: string } {
  const summary = text.split(/(?<=\.)\s/)[0] ?? text;
  return { summary, rest: text.slice(summary.length).trim() };
}
