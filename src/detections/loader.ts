/**
 * Loads Sigma rules from files and folders into a RuleSet: every document compiled on its own, a bad
 * one (broken YAML, unknown modifier, missing selection, unknown field…) becomes a RuleProblem with
 * file and line and never stops the others. Correlations are joined to the rules they name (by
 * `name` or `id`, the same file first). The pack of our own sits in ./rules, next to this module in
 * src/ and in dist/ alike (the build copies it: scripts/copy-rules.mjs).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleProblem } from './contract.js';
import { RuleFault } from './sigma/problem.js';
import { compileDoc } from './sigma/rule.js';
import { parseYamlDocs } from './sigma/yaml.js';
import type { CorrelationRule, RecordRule, Rule, RuleSet } from './types.js';

/** The folder of the shipped rule pack. */
export function builtinRulesDir(): string {
  return fileURLToPath(new URL('./rules', import.meta.url));
}

export interface LoadOptions {
  /** Files or folders of Sigma rules (`--rules DIR`), read recursively (*.yml, *.yaml). */
  paths?: readonly string[];
  /** Include the shipped pack (default true). */
  builtin?: boolean;
}

export function loadRuleSet(options: LoadOptions = {}): RuleSet {
  const sources = [...(options.builtin === false ? [] : [builtinRulesDir()]), ...(options.paths ?? [])];
  const problems: RuleProblem[] = [];
  const files: string[] = [];
  for (const path of sources) {
    if (!existsSync(path)) {
      problems.push({ file: path, line: null, rule: null, severity: 'error', message: 'no such file or folder' });
      continue;
    }
    const found = ruleFiles(resolve(path));
    if (!found.length)
      problems.push({
        file: path,
        line: null,
        rule: null,
        severity: 'error',
        message: 'no Sigma rule files (*.yml, *.yaml) here: give the folder that holds the rules',
      });
    files.push(...found);
  }
  const texts = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  return compileTexts(texts, problems);
}

/** The paths of `paths` that do not exist: commands refuse them before anything runs. */
export function missingRulePaths(paths: readonly string[]): string[] {
  return paths.filter((path) => !existsSync(path));
}

/** Compiles rule texts (tests and `rules validate` use it directly). */
export function compileTexts(texts: readonly { file: string; text: string }[], problems: RuleProblem[] = []): RuleSet {
  const rules: Rule[] = [];
  for (const { file, text } of texts) rules.push(...compileFile(file, text, problems));
  const unique = dropDuplicates(rules, problems);
  return { rules: resolveCorrelations(unique, problems), problems };
}

function ruleFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const full = join(path, e.name);
      if (e.isDirectory()) return e.name.startsWith('.') || e.name === 'node_modules' ? [] : ruleFiles(full);
      return /\.ya?ml$/i.test(e.name) ? [full] : [];
    });
}

function compileFile(file: string, text: string, problems: RuleProblem[]): Rule[] {
  const parsed = parseYamlDocs(text);
  for (const p of parsed.problems)
    problems.push({ file, line: p.line, rule: null, severity: 'error', message: p.message });
  const out: Rule[] = [];
  parsed.docs.forEach((doc, index) => {
    const label = labelOf(doc.value);
    const warnings: RuleProblem[] = [];
    const warn = (message: string, line: number | null): void => {
      warnings.push({ file, line, rule: label, severity: 'warning', message });
    };
    try {
      out.push(compileDoc(doc, file, index, warn));
      problems.push(...warnings);
    } catch (e) {
      if (!(e instanceof RuleFault)) throw e;
      problems.push(...warnings, {
        file,
        line: e.line ?? doc.line,
        rule: label,
        severity: 'error',
        message: e.message,
      });
    }
  });
  return out;
}

function labelOf(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  for (const key of ['title', 'name', 'id']) if (typeof v[key] === 'string') return v[key];
  return null;
}

function dropDuplicates(rules: Rule[], problems: RuleProblem[]): Rule[] {
  const seen = new Map<string, Rule>();
  return rules.filter((r) => {
    const first = seen.get(r.info.id);
    if (!first) {
      seen.set(r.info.id, r);
      return true;
    }
    problems.push({
      file: r.info.file,
      line: r.line,
      rule: r.info.title,
      severity: 'error',
      message: `id ${r.info.id} is already used by "${first.info.title}" (${first.info.file}): this copy is ignored`,
    });
    return false;
  });
}

function resolveCorrelations(rules: Rule[], problems: RuleProblem[]): Rule[] {
  const correlations = rules.filter((r): r is CorrelationRule => r.kind === 'correlation');
  const dropped = new Set<Rule>();
  for (const c of correlations) {
    const found: RecordRule[] = [];
    for (const ref of c.refs) {
      const candidates = rules.filter((r) => r.name === ref || r.info.id === ref);
      const target = candidates.find((r) => r.info.file === c.info.file) ?? candidates[0];
      const fault = !target
        ? `correlation refers to "${ref}", which is no loaded rule's name or id`
        : target.kind === 'correlation'
          ? `correlation refers to another correlation ("${ref}"): chains are not supported`
          : null;
      if (fault) {
        problems.push({ file: c.info.file, line: c.line, rule: c.info.title, severity: 'error', message: fault });
        dropped.add(c);
        break;
      }
      found.push(target as RecordRule);
    }
    c.rules = found;
    c.applies = found.every((r) => r.applies);
    if (!c.applies) c.why = 'a rule it correlates is not evaluated';
  }
  for (const c of correlations) {
    if (dropped.has(c)) continue;
    for (const r of c.rules) if (!c.generate) r.generate = false;
  }
  return rules.filter((r) => !dropped.has(r));
}
