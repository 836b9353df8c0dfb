import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * The rule fixtures written inline in the rules' tests (`{ code: ..., lint: [...], env: {...} }`
 * passed to `testRule` or `lintCase`), read from the test sources with the TypeScript parser, so
 * that the fix invariants run over every one of them without the rule tests knowing.
 * Cases whose code is not a literal (built by a function, a template with `${...}`) are skipped.
 */
export interface RuleFixture {
  /** `rules/<id>/<id>.test.ts:<line>` */
  id: string;
  ruleId: string;
  files: Record<string, string>;
  lint?: string[];
  env?: Record<string, string>;
  envFiles?: string[];
}

const NOT_LITERAL = Symbol('not a literal');
type Literal = string | number | boolean | null | Literal[] | { [k: string]: Literal };

function evaluate(node: ts.Expression): Literal | typeof NOT_LITERAL {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return evaluate(node.expression);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const a = evaluate(node.left);
    const b = evaluate(node.right);
    return typeof a === 'string' && typeof b === 'string' ? a + b : NOT_LITERAL;
  }
  if (ts.isArrayLiteralExpression(node)) {
    const out: Literal[] = [];
    for (const e of node.elements) {
      const v = evaluate(e);
      if (v === NOT_LITERAL) return NOT_LITERAL;
      out.push(v);
    }
    return out;
  }
  if (ts.isObjectLiteralExpression(node)) {
    const out: Record<string, Literal> = {};
    for (const p of node.properties) {
      if (!ts.isPropertyAssignment(p)) return NOT_LITERAL;
      const name = ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : null;
      if (name === null) return NOT_LITERAL;
      const v = evaluate(p.initializer);
      if (v === NOT_LITERAL) return NOT_LITERAL;
      out[name] = v;
    }
    return out;
  }
  return NOT_LITERAL;
}

function prop(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name) return p.initializer;
  }
  return undefined;
}

/** A fixture's files written into `dir` (its folders made as needed). */
export function writeFixtureFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

export function ruleFixtures(rulesDir: string): RuleFixture[] {
  const out: RuleFixture[] = [];
  for (const ruleId of readdirSync(rulesDir).sort()) {
    let names: string[];
    try {
      names = readdirSync(join(rulesDir, ruleId)).filter((n) => n.endsWith('.test.ts'));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(rulesDir, ruleId, name);
      const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isObjectLiteralExpression(node)) {
          const code = prop(node, 'code');
          if (code) {
            const c = evaluate(code);
            const files = typeof c === 'string' ? { 'compose.yaml': c } : c !== NOT_LITERAL && c && typeof c === 'object' && !Array.isArray(c) && Object.values(c).every((v) => typeof v === 'string') ? (c as Record<string, string>) : null;
            if (files && Object.keys(files).length > 0) {
              const fx: RuleFixture = { id: `rules/${ruleId}/${name}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`, ruleId, files };
              for (const key of ['lint', 'envFiles'] as const) {
                const e = prop(node, key);
                const v = e ? evaluate(e) : undefined;
                if (Array.isArray(v) && v.every((x) => typeof x === 'string')) fx[key] = v as string[];
              }
              const env = prop(node, 'env');
              const ev = env ? evaluate(env) : undefined;
              if (ev && ev !== NOT_LITERAL && typeof ev === 'object' && !Array.isArray(ev)) fx.env = Object.fromEntries(Object.entries(ev).map(([k, v]) => [k, String(v)]));
              out.push(fx);
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
  }
  return out;
}
