/**
 * Reads a Sigma file into its YAML documents (a file may hold several, separated by `---`: a
 * correlation and the rules it refers to) while keeping where every key and value sits, so that a
 * problem names the file and the line (yaml's parseAllDocuments with a LineCounter).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node } from 'yaml';

/** Aliases a document may expand to (yaml's maxAliasCount): a rule needs a few, a "billion laughs" file millions. */
const MAX_ALIASES = 100;

export type YamlPath = readonly (string | number)[];

export interface YamlDoc {
  /** The document as plain data (maps, lists, strings, numbers, booleans, null). */
  value: unknown;
  /** 1-based line of the node at `path` (a map key's own line for a map entry), or the nearest parent's. */
  lineOf(path: YamlPath): number | null;
  /** 1-based line where the document starts. */
  line: number;
}

export interface YamlProblem {
  line: number | null;
  message: string;
}

export interface ParsedYaml {
  docs: YamlDoc[];
  problems: YamlProblem[];
}

export function parseYamlDocs(text: string): ParsedYaml {
  const counter = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(all) ? all : [];
  const problems: YamlProblem[] = [];
  const docs: YamlDoc[] = [];
  if (!Array.isArray(all)) {
    problems.push({ line: null, message: 'the file is not YAML' });
    return { docs, problems };
  }
  for (const doc of list) {
    if (doc.errors.length) {
      for (const e of doc.errors) {
        const line = e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line;
        problems.push({ line, message: `broken YAML: ${firstLine(e.message)}` });
      }
      continue;
    }
    if (doc.contents === null) continue;
    try {
      docs.push(located(doc, counter));
    } catch (e) {
      // yaml throws while expanding aliases: past MAX_ALIASES ("billion laughs") or an alias with no anchor.
      // A problem of this document only, at its first alias.
      const message = firstLine((e as Error).message);
      problems.push({
        line: firstAliasLine(doc, counter),
        message: /Excessive alias count/.test(message)
          ? `its aliases (*name) expand to more than ${MAX_ALIASES} copies of anchored nodes, the shape of a "billion laughs" attack: the document is not read; write the values out`
          : `broken YAML: ${message}`,
      });
    }
  }
  return { docs, problems };
}

function located(doc: Document.Parsed, counter: LineCounter): YamlDoc {
  const lineOfOffset = (offset: number | undefined): number | null =>
    offset === undefined ? null : counter.linePos(offset).line;
  const root = doc.contents as Node | null;
  return {
    value: doc.toJS({ maxAliasCount: MAX_ALIASES }) as unknown,
    line: lineOfOffset(root?.range?.[0]) ?? 1,
    lineOf(path: YamlPath): number | null {
      let node: unknown = root;
      let line = lineOfOffset(root?.range?.[0]);
      for (const step of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
          if (!pair) return line;
          line = lineOfOffset((pair.key as Node).range?.[0]) ?? line;
          node = pair.value;
        } else if (isSeq(node) && typeof step === 'number') {
          const item = node.items[step] as Node | undefined;
          if (!item) return line;
          line = lineOfOffset(item.range?.[0]) ?? line;
          node = item;
        } else return line;
      }
      return line;
    },
  };
}

function firstAliasLine(doc: Document.Parsed, counter: LineCounter): number {
  let offset = doc.range[0];
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? offset;
      return visit.BREAK;
    },
  });
  return counter.linePos(offset).line;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
