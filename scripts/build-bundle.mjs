#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (one ESM file plus lazily loaded chunks) so that start-up
// reads one module instead of resolving dozens: `stackopt lint` on a small file must cost less than
// twice a bare `node -e 0`. Type checking is `tsc --noEmit` (npm run typecheck), not this step.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // CommonJS dependencies bundled into ESM call require() for Node built-ins
  banner: { js: "import{createRequire as __stackoptRequire}from'node:module';const require=__stackoptRequire(import.meta.url);" },
});
const bytes = Object.entries(result.metafile.outputs)
  .filter(([f]) => f.endsWith('.js'))
  .reduce((n, [, o]) => n + o.bytes, 0);
console.log(`build-bundle: ${(bytes / 1024).toFixed(0)} KiB -> dist/bundle/`);
