import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { regexProblems } from './helpers/regex-linearity.js';
import { repoRoot } from './helpers/cli.js';

/**
 * Every regular expression of the code that reads input (rules, engine, model, parse, config,
 * format, cli) is linear by construction: the checker in helpers/regex-linearity.ts finds no
 * nested repetition, no neighbouring repetitions over the same characters and no unanchored
 * repetition that can rerun from every position. Patterns built at run time are listed here with
 * what bounds them; a new one fails this test until it is reviewed.
 */
const DIRS = ['rules', 'src/api', 'src/lsp', 'src/engine', 'src/model', 'src/parse', 'src/config', 'src/format', 'src/cli', 'src/fix', 'src/audit'];
/** Patterns built at run time, by file: what makes them safe. */
const BUILT: Record<string, string> = {
  // the vendored compose schema's patternProperties (`^x-`, `^[a-zA-Z0-9._-]+$`): checked below
  'src/parse/validate-schema.ts': 'schema patterns',
};

function sourceFiles(): string[] {
  return DIRS.flatMap((d) => (readdirSync(`${repoRoot}/${d}`, { recursive: true }) as string[]).map((f) => `${d}/${f}`)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'src/audit/docker.ts');
}

interface Found {
  where: string;
  source: string;
  flags: string;
}

function regexLiterals(): { literals: Found[]; built: string[] } {
  const literals: Found[] = [];
  const built: string[] = [];
  for (const file of sourceFiles()) {
    const sf = ts.createSourceFile(file, readFileSync(`${repoRoot}/${file}`, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node) => {
      const line = sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
      if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = n.getText();
        const end = text.lastIndexOf('/');
        literals.push({ where: `${file}:${line}`, source: text.slice(1, end), flags: text.slice(end + 1) });
      }
      if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && n.expression.getText() === 'RegExp') built.push(file);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { literals, built };
}

describe('regular expressions are linear', () => {
  const { literals, built } = regexLiterals();

  it('finds the patterns', () => {
    expect(literals.length).toBeGreaterThan(100);
  });

  it('every literal passes the checker', () => {
    const bad = literals.map((l) => ({ ...l, problems: regexProblems(l.source, l.flags) })).filter((l) => l.problems.length > 0);
    expect(bad.map((b) => `${b.where} /${b.source}/${b.flags}: ${b.problems.join('; ')}`)).toEqual([]);
  });

  it('patterns built at run time are the reviewed ones', () => {
    expect([...new Set(built)].sort()).toEqual(Object.keys(BUILT).sort());
  });

  it("the schemas' patterns pass the checker (the validators built from them run them on the input)", () => {
    const files = (readdirSync(`${repoRoot}/schemas`, { recursive: true }) as string[]).filter((f) => f.endsWith('.json'));
    const patterns = new Set<string>();
    for (const f of files) JSON.parse(readFileSync(`${repoRoot}/schemas/${f}`, 'utf8'), (k, v) => {
      if (k === 'patternProperties' && v && typeof v === 'object') for (const p of Object.keys(v)) patterns.add(p);
      if (k === 'pattern' && typeof v === 'string') patterns.add(v);
      return v;
    });
    expect(patterns.size).toBeGreaterThan(0);
    expect([...patterns].filter((p) => regexProblems(p, 'u').length > 0)).toEqual([]);
  });
});

describe('the checker', () => {
  it.each([
    ['(a+)+$', 'nested repetition'],
    ['^(\\w+\\s?)*$', 'nested repetition'],
    ['^(a|ab)*c$', 'repeated alternatives that start alike'],
    ['^\\s*(\\d+)\\s*([a-z]*)\\s*$', 'neighbouring repetitions over the same characters'],
    ['^\\s*x\\s*(?:[:=]\\s*(.*?))?\\s*$', 'neighbouring repetitions over the same characters'],
    ['\\/+$', 'unanchored repetition over the characters a match starts with'],
    ['\\b[a-z][a-z0-9+.-]*:\\/\\/', 'unanchored repetition over the characters a match starts with'],
    ['(\\d)\\1', 'back-reference'],
  ])('reports /%s/', (source, problem) => {
    expect(regexProblems(source)).toContain(problem);
  });

  it.each([['^ *(?:- +)*'], ['\\s+'], ["'[^']*'|\"[^\"]*\""], ['^\\s*(\\d+)(?:\\s*-\\s*(\\d+))?\\s*$'], ['^[-+]?\\d+$'], ['(?:^|[:\\-][ \\t]+|[[,{][ \\t]*)([\'"])'], ['[^\\s,]+']])('accepts /%s/', (source) => {
    expect(regexProblems(source, source.includes('^|') ? 'gm' : '')).toEqual([]);
  });
});
