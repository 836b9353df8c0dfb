#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, dist/bundle/stackopt.cjs, and records V8's code cache for
// it (dist/bundle/stackopt.cjs.cache) by running it once on shipped examples. bin/stackopt.js loads
// the bundle with that cache, so start-up neither resolves dozens of modules nor compiles the
// schema validators again: `stackopt lint` on a small file must cost less than twice `node -e 0`.
// A cache made by another node version is rejected by V8 and the bundle is compiled as usual.
// Type checking is `tsc --noEmit` (npm run typecheck), not this step.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
const outfile = join(outdir, 'stackopt.cjs');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
  // the sources are ESM: give them import.meta.url in the CommonJS bundle
  define: { 'import.meta.url': '__stackoptImportMetaUrl' },
  banner: { js: "const __stackoptImportMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
});
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('.cjs'))].bytes;

// Warm-up runs: the cache then holds the functions a lint actually compiles (validators, rules).
const bin = join(root, 'bin/stackopt.js');
const cache = `${outfile}.cache`;
const examples = ['fixtures/seed-examples/high-efficiency-stack.yml', 'fixtures/seed-examples/cloud-backup.yml'].map((f) => join(root, f));
const warm = spawnSync(process.execPath, [bin, 'lint', '--no-color', ...examples.filter((f) => existsSync(f))], {
  env: { ...process.env, STACKOPT_WRITE_CODE_CACHE: cache, NO_COLOR: '1' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
if (!existsSync(cache)) throw new Error(`build-bundle: no code cache written (${warm.stderr})`);
console.log(`build-bundle: ${(bytes / 1024).toFixed(0)} KiB -> dist/bundle/stackopt.cjs, with its V8 code cache`);
