#!/usr/bin/env node
/**
 * The declarations of the programmatic API (dist/api/index.d.ts, types.d.ts), written from
 * src/api/ with TypeScript's declaration transpiler. A step of `npm run build` of its own: the
 * GitHub Action builds only the CLI bundle, without the development tools this needs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apiDir = join(root, 'dist/api');
for (const name of ['index', 'types']) {
  const source = readFileSync(join(root, `src/api/${name}.ts`), 'utf8');
  const out = ts.transpileDeclaration(source, { fileName: `${name}.ts`, compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true } });
  const errors = out.diagnostics?.filter((d) => d.category === ts.DiagnosticCategory.Error) ?? [];
  if (errors.length > 0) throw new Error(`api-declarations: src/api/${name}.ts: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`);
  // only the API's own declarations: a type from elsewhere in the source would not resolve in the package
  const imports = [...out.outputText.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]).filter((m) => m !== './types.js');
  if (imports.length > 0) throw new Error(`api-declarations: the declarations of src/api/${name}.ts import ${imports.join(', ')}; the API's public types belong in src/api/types.ts`);
  writeFileSync(join(apiDir, `${name}.d.ts`), out.outputText);
}
