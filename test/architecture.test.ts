/**
 * The layers of the code (docs/DEVELOPING.md, "Layers"): imports point down only, and no files
 * import each other, directly or through others. This reads every import of the source (tests
 * aside) and fails with the offending import, so a change that runs the other way is caught here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The layer of a file: its top folder under src/, or `rules` for rules/. */
function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'rules') return 'rules';
  if (parts[0] === 'src') return parts[1]!;
  return parts[0]!;
}

/**
 * What each layer may import, besides itself. `generated` is code built from schemas at build time
 * (validators); it imports nothing of ours. The engine runs the rules: it may import the rule
 * registry (`rules/index.ts`) and nothing else of rules/.
 */
const ALLOWED: Record<string, readonly string[]> = {
  parse: ['generated'],
  model: ['parse', 'generated'],
  rules: ['engine', 'model', 'parse', 'generated'],
  engine: ['rules', 'model', 'parse', 'generated'],
  fix: ['engine', 'model', 'parse', 'generated'],
  audit: ['engine', 'model', 'parse', 'generated'],
  // recording usage goes through the docker door (src/audit/docker.ts)
  usage: ['audit', 'engine', 'model', 'parse', 'generated'],
  format: ['audit', 'fix', 'usage', 'engine', 'model', 'parse', 'generated'],
  config: ['engine', 'model', 'parse', 'generated'],
  // the programmatic API (package.json exports): lint or fix a text as a file
  api: ['format', 'config', 'fix', 'engine', 'model', 'parse', 'generated'],
  cli: ['lsp', 'api', 'format', 'config', 'fix', 'audit', 'usage', 'engine', 'rules', 'model', 'parse', 'generated'],
  // the language server: a command beside the CLI (which starts it), loaded only by `stackopt lsp`
  lsp: ['api', 'format', 'config', 'fix', 'audit', 'usage', 'engine', 'rules', 'model', 'parse', 'generated'],
  generated: ['parse'],
};

/** What rules may take from the engine: its rule API (defining and reporting, targets, options, the fixer API, docker's stack schema). */
const RULE_API = new Set(['src/engine/types.ts', 'src/engine/target.ts', 'src/engine/rule-options.ts', 'src/engine/fixer.ts', 'src/engine/swarm-schema.ts']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Every relative module a file names: static imports and re-exports (types included), and `import('…')`. */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec && spec.startsWith('.')) specs.push(spec);
  }
  return specs;
}

function resolveImport(from: string, spec: string): string {
  return relative(root, resolve(root, dirname(from), spec.replace(/\.js$/, '.ts'))).split('\\').join('/');
}

const files = [...sourceFiles('src'), ...sourceFiles('rules')];
const graph = new Map<string, string[]>();
for (const f of files) graph.set(f, importsOf(readFileSync(join(root, f), 'utf8')).map((s) => resolveImport(f, s)));

describe('the layers of the code', () => {
  it('reads the imports of the whole tree', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get('src/cli/main.ts')!.length).toBeGreaterThan(0);
    expect(importsOf("import type { A } from './a.js';\nexport { b } from '../b.js';\nconst c = await import('./c.js');")).toEqual(['./a.js', '../b.js', './c.js']);
  });

  it('imports point down only', () => {
    const wrong: string[] = [];
    for (const [f, targets] of graph) {
      const from = layerOf(f);
      for (const t of targets) {
        const to = layerOf(t);
        if (to === from) continue;
        const ok = (ALLOWED[from] ?? []).includes(to) && (from !== 'engine' || to !== 'rules' || t === 'rules/index.ts');
        if (!ok) wrong.push(`${f} imports ${t} (${from} → ${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('rules take from the engine only its rule API', () => {
    const wrong: string[] = [];
    for (const [f, targets] of graph) {
      if (!f.startsWith('rules/')) continue;
      for (const t of targets) if (t.startsWith('src/engine/') && !RULE_API.has(t)) wrong.push(`${f} imports ${t}`);
    }
    expect(wrong).toEqual([]);
  });

  it('rules import no other rule: only the shared helpers beside them in rules/ (the registry imports them all)', () => {
    const wrong: string[] = [];
    for (const [f, targets] of graph) {
      if (!f.startsWith('rules/') || f === 'rules/index.ts') continue;
      const own = f.split('/').length === 3 ? f.split('/')[1] : null;
      for (const t of targets) {
        if (!t.startsWith('rules/')) continue;
        const other = t.split('/').length === 3 ? t.split('/')[1] : null;
        if (other !== null && other !== own) wrong.push(`${f} imports ${t}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no files import each other, directly or through others', () => {
    // Tarjan's strongly connected components, iteratively.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const cycles: string[][] = [];
    let next = 0;
    for (const start of graph.keys()) {
      if (index.has(start)) continue;
      const work: Array<{ node: string; i: number }> = [{ node: start, i: 0 }];
      index.set(start, next); low.set(start, next); next++;
      stack.push(start); onStack.add(start);
      while (work.length) {
        const top = work[work.length - 1]!;
        const edges = graph.get(top.node) ?? [];
        if (top.i < edges.length) {
          const w = edges[top.i++]!;
          if (!graph.has(w)) continue;
          if (!index.has(w)) {
            index.set(w, next); low.set(w, next); next++;
            stack.push(w); onStack.add(w);
            work.push({ node: w, i: 0 });
          } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
          continue;
        }
        work.pop();
        if (work.length) {
          const parent = work[work.length - 1]!.node;
          low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
        }
        if (low.get(top.node) === index.get(top.node)) {
          const comp: string[] = [];
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            comp.push(w);
          } while (w !== top.node);
          if (comp.length > 1) cycles.push(comp.sort());
        }
      }
    }
    expect(cycles).toEqual([]);
  });
});
