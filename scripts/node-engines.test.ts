import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

/**
 * Issue 17 item 9: `npm install` warned that cookie@2 (through fastify's test injector) needs Node 22 while
 * the README said Node 20+. What `npm install` checks is the lockfile's `engines`: every locked package must
 * accept the oldest Node that package.json's engines allows, and the README must name that same version.
 * (The override to cookie 1.1.1 in package.json is what keeps this true; docs/ARCHITECTURE.md says why.)
 */
const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

type Version = [number, number, number];
type Partial = [number | undefined, number | undefined, number | undefined];

function partial(text: string): Partial {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[\w.]+)?$/.exec(text);
  if (!m) throw new Error(`not a version: "${text}"`);
  const n = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s));
  return [n(m[1]), n(m[2]), n(m[3])];
}

const cmp = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const floor = (p: Partial): Version => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];
/** The first version above a partial one: 20 → 21.0.0, 20.1 → 20.2.0, 20.1.2 → 20.1.3. */
function above(p: Partial): Version {
  if (p[0] === undefined) return [Infinity, 0, 0];
  if (p[1] === undefined) return [p[0] + 1, 0, 0];
  if (p[2] === undefined) return [p[0], p[1] + 1, 0];
  return [p[0], p[1], p[2] + 1];
}

/** One comparator of a node-semver range (the forms lockfiles carry: >=, >, <=, <, ^, ~, =, partials, *). */
function comparator(token: string): (v: Version) => boolean {
  const m = /^(>=|<=|>|<|\^|~|=)?(.*)$/.exec(token)!;
  const op = m[1] ?? '=';
  const p = partial(m[2]!);
  const lo = floor(p);
  switch (op) {
    case '>=':
      return (v) => cmp(v, lo) >= 0;
    case '>':
      return (v) => cmp(v, above(p)) >= 0;
    case '<=':
      return (v) => cmp(v, above(p)) < 0;
    case '<':
      return (v) => cmp(v, lo) < 0;
    case '~':
      return (v) => cmp(v, lo) >= 0 && cmp(v, above([p[0], p[1], undefined])) < 0;
    case '^': {
      const hi: Version =
        lo[0] > 0 || p[1] === undefined ? [lo[0] + 1, 0, 0] : lo[1] > 0 ? [0, lo[1] + 1, 0] : above(p);
      return (v) => cmp(v, lo) >= 0 && cmp(v, hi) < 0;
    }
    default:
      return (v) => cmp(v, lo) >= 0 && cmp(v, above(p)) < 0;
  }
}

function satisfies(version: string, range: string): boolean {
  const v = floor(partial(version));
  return range.split('||').some((set) => {
    const tokens = set
      .trim()
      .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
      .split(/\s+/)
      .filter((t) => t && t !== '*');
    if (tokens.includes('-')) throw new Error(`hyphen ranges are not read here: "${range}"`);
    return tokens.every((t) => comparator(t)(v));
  });
}

const oldest = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(pkg.engines.node)?.[1];

test('the range reader agrees with node-semver on the forms the lockfile uses', () => {
  assert.equal(satisfies('20.19.0', '>=22'), false, 'cookie@2 said >=22: Node 20 is out');
  assert.equal(satisfies('20.19.0', '>=18'), true);
  assert.equal(satisfies('20.19.0', '^20.19.0 || >=22.12.0'), true);
  assert.equal(satisfies('20.18.0', '^20.19.0 || >=22.12.0'), false);
  assert.equal(satisfies('20.19.0', '^18.18.0 || ^20.9.0 || >=21.1.0'), true);
  assert.equal(satisfies('20.19.0', '20 || >=22'), true);
  assert.equal(satisfies('21.0.0', '20 || >=22'), false);
  assert.equal(satisfies('20.19.0', '^20.12||^22||>=24'), true);
  assert.equal(satisfies('20.19.0', '>=16 || 14 >=14.17'), true);
  assert.equal(satisfies('20.19.0', '>= 10.13.0'), true);
  assert.equal(satisfies('20.19.0', '20.x || 22.x'), true);
  assert.equal(satisfies('20.19.0', '~20.18'), false);
  assert.equal(satisfies('20.19.0', '*'), true);
});

test("package.json's engines names the oldest Node supported, and the README says the same", () => {
  assert.ok(oldest, `engines.node is ">=X": ${pkg.engines.node}`);
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const said = /Node\.js (\d+(?:\.\d+){0,2})(?: or newer|\+)/.exec(readme)?.[1];
  assert.equal(said, oldest, `README says Node.js ${said}, package.json's engines ${pkg.engines.node}`);
});

test('no locked package (what npm install checks) excludes the oldest Node that engines allows', () => {
  const versions = [oldest!, ...(process.versions.node.startsWith('20.') ? [process.versions.node] : [])];
  const refused: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (!path || !range) continue;
    for (const v of versions)
      if (!satisfies(v, range)) refused.push(`${path}@${entry.version ?? '?'} needs node ${range} (not ${v})`);
  }
  assert.deepEqual(refused, [], 'resolve each (a version that supports it, an override) or raise engines and README');
});
