/**
 * Reads a Sigma file into its YAML documents (a file may hold several, separated by `---`: a
 * correlation and the rules it refers to) while keeping where every key and value sits, so that a
 * problem names the file and the line (yaml's parseAllDocuments with a LineCounter).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';

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
    docs.push(located(doc, counter));
  }
  return { docs, problems };
}

function located(doc: Document.Parsed, counter: LineCounter): YamlDoc {
  const lineOfOffset = (offset: number | undefined): number | null =>
    offset === undefined ? null : counter.linePos(offset).line;
  const root = doc.contents as Node | null;
  return {
    value: doc.toJS({ maxAliasCount: 100 }) as unknown,
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

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
