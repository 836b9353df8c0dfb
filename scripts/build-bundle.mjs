#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, dist/bundle/stackopt.cjs, and records V8's code cache for
// it (dist/bundle/stackopt.cjs.cache) by running it once on shipped examples. bin/stackopt.js loads
// the bundle with that cache, so start-up neither resolves dozens of modules nor compiles the
// schema validators again: `stackopt lint` on a small file must cost less than twice `node -e 0`.
// A cache made by another node version is rejected by V8 and the bundle is compiled as usual.
// Type checking is `tsc --noEmit` (npm run typecheck), not this step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
const outfile = join(outdir, 'stackopt.cjs');

// Node's own modules that node itself has not loaded when the CLI starts (child_process, crypto,
// http, os, stream, module with node's ES module loader, ...) cost a small lint a fifth of its
// start-up when required at the top of the bundle, though a plain lint uses none of them (the
// docker door, `fix`'s writes and `audit` do). In
// the bundle each is an object that requires the module on first use of one of its members. Its
// keys are listed at build time, so that esbuild's interop (which copies an imported module's keys
// into a namespace object of getters) does not load it either.
const LAZY_BUILTINS = new Set(['child_process', 'crypto', 'dgram', 'http', 'https', 'module', 'net', 'os', 'readline', 'stream', 'stream/promises', 'string_decoder', 'timers/promises', 'tty', 'v8', 'vm', 'worker_threads', 'zlib']);
// Packages only some commands or inputs use (execa: the docker CLI, for audit and usage; diff:
// `fix --diff`; yaml: the files the fast reader leaves to it, and `stackopt-` comments) are bundled
// into files of their own beside the bundle (dist/bundle/execa.cjs, diff.cjs, yaml.cjs), which the
// bundle requires the first time one of their members is used: a lint of a file the fast reader
// takes neither reads nor initialises them (yaml: 115 KB, about 130 of a small lint's 4,200 page
// faults; a file read with yaml costs what it did, the chunk's compile against the bundle's share).
const LAZY_PACKAGES = new Set(['execa', 'diff', 'yaml']);
// In the lint bundle also commander and chalk: `stackopt lint PATH...` without options runs without
// commander (src/cli/program.ts, OperandsOnly), and stylish without colour uses no chalk. Their
// initialisation at load (commander's classes, chalk's styles: about 160 KB of the young
// generation) and building the program were about a tenth of what a small lint adds to node's start.
const LINT_LAZY_PACKAGES = new Set([...LAZY_PACKAGES, 'commander', 'chalk']);
// Each file beside the bundle is loaded by loadChunk (src/engine/code-cache.ts) with the V8 code cache
// the build records beside it, as bin/stackopt.js loads the bundle: a file left to yaml, or a
// project with a configuration file, then costs a read of the code yaml or the validator runs, not
// its compile (yaml: 29 -> 10 ms of CPU). The bundle's own `require` and folder are handed to it.
const codeCacheModule = join(root, 'src/engine/code-cache.ts');
const chunkLoad = (name) => `loadChunk(${JSON.stringify(name)}, __dirname, require)`;
const builtinName = (path) => path.replace(/^node:/, '');
/** Node's modules in LAZY_BUILTINS, and (in the CLI bundles) the `packages` given, as stand-ins that load on first use. */
const lazyModules = (packages) => ({
  name: 'lazy-modules',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (a) => {
      if (!LAZY_BUILTINS.has(builtinName(a.path))) return undefined;
      return a.namespace === 'lazy-builtin' ? { path: a.path, external: true } : { path: builtinName(a.path), namespace: 'lazy-builtin' };
    });
    b.onResolve({ filter: /^[a-z]+$/ }, (a) => (packages?.has(a.path) ? { path: a.path, namespace: 'lazy-package' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-package' }, async (a) => ({ ...(await lazyModule(a.path, chunkLoad(a.path), `const { loadChunk } = require(${JSON.stringify(codeCacheModule)});`)), resolveDir: root }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (a) => lazyModule(`node:${a.path}`, `require('node:${a.path}')`));
  },
});

// The validator of .stackopt.yaml (src/generated/config-validator.ts, as large as the compose-spec
// one) runs only where a project has a configuration file: it is a file of its own too
// (dist/bundle/config-validator.cjs), and the bundle has a stand-in that requires it on first use.
const CHUNK_MODULES = new Map([[join(root, 'src/generated/config-validator.ts'), { chunk: 'config-validator', exports: ['validateConfig'] }]]);
const chunkedModules = {
  name: 'chunked-modules',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]generated[\\/][a-z-]+\.ts$/ }, (a) => {
      const c = CHUNK_MODULES.get(a.path);
      if (!c) return undefined;
      // each export is a validator: called through, with its `errors` copied after each call
      const fns = c.exports.map((name) => `export function ${name}(data) {\n  const f = load().${name};\n  const ok = f(data);\n  ${name}.errors = f.errors;\n  return ok;\n}`);
      return { loader: 'js', resolveDir: root, contents: `import { loadChunk } from ${JSON.stringify(codeCacheModule)};\nlet m;\nconst load = () => (m ??= ${chunkLoad(c.chunk)});\n${fns.join('\n')}\n` };
    });
  },
};

// Whether to colour is the CLI's decision (useColor), and every Chalk it makes is given a level.
// Chalk's own detection of the terminal, which runs when chalk loads, loads node:tty and with it
// node:net: in the bundle chalk gets no detection (its default instance, unused, has no colour).
const noColorDetection = {
  name: 'no-color-detection',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, () => ({ path: 'supports-color', namespace: 'no-color-detection' }));
    b.onLoad({ filter: /.*/, namespace: 'no-color-detection' }, () => ({ loader: 'js', contents: 'export default { stdout: false, stderr: false };' }));
  },
};

/** A CommonJS module standing for `spec` that evaluates `load` (a require) the first time a member is used. */
async function lazyModule(spec, load, prelude = '') {
  const keys = Object.keys(await import(spec)).filter((k) => k !== 'default');
  return {
    loader: 'js',
    contents: `${prelude}let m;
const load = () => (m ??= ${load});
const keys = ${JSON.stringify(keys)};
module.exports = new Proxy({}, {
  // esbuild's interop asks for __esModule first: no module of these has it, and asking loads nothing
  get: (_, k) => (k === '__esModule' ? undefined : load()[k]),
  has: (_, k) => keys.includes(k) || k in load(),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, k) => (keys.includes(k) ? { configurable: true, enumerable: true, get: () => load()[k] } : undefined),
});`,
  };
}
/** The start of a file that is one function expression of the CommonJS arguments (closed by `})`). */
const COMMONJS_WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
rmSync(outdir, { recursive: true, force: true });
// Two bundles of the CLI: stackopt.cjs with every command, and lint.cjs with `stackopt lint` only
// (src/cli/lint-main.ts), which bin/stackopt.js loads when argv's command is lint: a small lint
// then reads, deserialises and initialises none of the code of audit, usage, resources, fix, init,
// rules and the language server. The code they share is in both files.
const lintOutfile = join(outdir, 'lint.cjs');
const cliBundle = (entry, file, packages) =>
  build({
    entryPoints: [join(root, entry)],
    outfile: file,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    keepNames: false,
    metafile: true,
    plugins: [lazyModules(packages), chunkedModules, noColorDetection],
    logLevel: 'warning',
    // the language server's library is a runtime dependency, required only by `stackopt lsp`
    external: ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-textdocument'],
    // the sources are ESM: give them import.meta.dirname (the bundle's folder) and import.meta.url in
    // the CommonJS bundle; the URL is made when first asked for (a lint does not: making it at load,
    // node's URL code run for the first time, was about 0.5 ms of a small lint)
    define: { 'import.meta.url': '__stackoptImportMeta.url', 'import.meta.dirname': '__dirname' },
    // bin/stackopt.js compiles the file as it is read, as a function of the CommonJS arguments: the
    // wrapper is in the file, so that no second copy of a megabyte of source is made to add it.
    banner: { js: `${COMMONJS_WRAPPER}\nconst __stackoptImportMeta={get url(){return require('node:url').pathToFileURL(__filename).href;}};` },
    footer: { js: '})' },
  });
const bytesOf = (result) => result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('.cjs'))].bytes;
const bytes = bytesOf(await cliBundle('src/cli/main.ts', outfile, LAZY_PACKAGES));
const lintBytes = bytesOf(await cliBundle('src/cli/lint-main.ts', lintOutfile, LINT_LAZY_PACKAGES));

// The files the bundle loads on first use: each a CommonJS module of its own, node's modules in it
// lazy as in the bundle, written as one function expression of the CommonJS arguments (loadChunk
// compiles the file as it is read).
const chunkBuild = (name, options) =>
  build({
    outfile: join(outdir, `${name}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    plugins: [lazyModules(null), noColorDetection],
    logLevel: 'warning',
    banner: { js: COMMONJS_WRAPPER },
    footer: { js: '})' },
    ...options,
  });
const chunkNames = [...[...CHUNK_MODULES.values()].map((c) => c.chunk), ...LINT_LAZY_PACKAGES];
for (const [entry, c] of CHUNK_MODULES) await chunkBuild(c.chunk, { entryPoints: [entry] });
for (const name of LINT_LAZY_PACKAGES) await chunkBuild(name, { stdin: { contents: `export * from '${name}';`, resolveDir: root, loader: 'js' } });

// V8 keeps a source in one byte per character only when every character is at most U+00FF; a single
// other one (a `\u03bc` in a regular expression literal, which esbuild does not escape) doubles the
// string and slows every start-up. bin/stackopt.js reads the bundle as Latin-1, which is its text
// only when the file is ASCII. Escape such characters in the source (`\u03bc`).
for (const file of [outfile, lintOutfile, ...chunkNames.map((n) => join(outdir, `${n}.cjs`))]) {
  const text = readFileSync(file, 'latin1');
  const wide = [...text.matchAll(/[^\u0000-\u007f]/g)].slice(0, 5).map((m) => `byte 0x${m[0].charCodeAt(0).toString(16)} in "${text.slice(Math.max(0, m.index - 30), m.index + 10)}"`);
  if (wide.length > 0) throw new Error(`build-bundle: ${file} is not ASCII; escape the characters in the source: ${wide.join('; ')}`);
}

// The programmatic API (package.json `exports`, docs/api.md): an ES module of its own with every
// dependency inside, and its declarations. Its public types are in src/api/types.ts, which imports
// nothing, so the two declaration files stand alone.
const apiDir = join(root, 'dist/api');
rmSync(apiDir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src/api/index.ts')],
  outfile: join(apiDir, 'index.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  // CommonJS dependencies inside an ES module need a `require`
  banner: { js: "import { createRequire as __stackoptCreateRequire } from 'node:module';const require=__stackoptCreateRequire(import.meta.url);" },
});

// Warm-up runs: each cache then holds the functions its bundle actually compiles (validators, rules):
// a lint for lint.cjs, a `fix --check` (lint and the fixes) for the bundle of every command.
const bin = join(root, 'bin/stackopt.js');
const cache = `${lintOutfile}.cache`;
const fullCache = `${outfile}.cache`;
const examples = ['fixtures/seed-examples/high-efficiency-stack.yml', 'fixtures/seed-examples/cloud-backup.yml'].map((f) => join(root, f));
// A file with most of what a compose or stack file holds (scripts/warm-up-stack.yml): in the lint
// bundle's warm-up beside the examples, and under each older stack schema version. The caches then
// hold the validators' code for networks, volumes, secrets, build, logging, long-syntax ports, ...,
// which a lint of many real files compiled file by file: 100 corpus files 0.966-0.973x the CPU (30
// and 20 pairs), 1,000 files 0.978x (8), one small file 1.00x (30; the lint cache 780 KB against 660).
const warmUpStack = readFileSync(join(root, 'scripts/warm-up-stack.yml'), 'utf8');
// A stack file per older stack schema version (3.0 to 3.12): the run records the code cache of
// each version's validator beside it in dist/stack-validators/ (src/engine/swarm-schema.ts).
const versionDir = mkdtempSync(join(tmpdir(), 'stackopt-warm-'));
const versionFiles = Array.from({ length: 13 }, (_, minor) => {
  const f = join(versionDir, `stack-v3.${minor}.yml`);
  writeFileSync(f, `version: "3.${minor}"\n${warmUpStack}`);
  return f;
});
// The lint warm-up passes no option (NO_COLOR keeps colour off): the lint bundle's cache then holds
// the run without commander (src/cli/program.ts, OperandsOnly), not the code that builds the program
// for commander, which a lint with options compiles (commander itself is a file beside the bundle).
const warmUpFile = join(versionDir, 'compose.yaml');
writeFileSync(warmUpFile, warmUpStack);
const warm = spawnSync(process.execPath, [bin, 'lint', ...examples.filter((f) => existsSync(f)), warmUpFile], {
  env: { ...process.env, STACKOPT_WRITE_CODE_CACHE: cache, NO_COLOR: '1' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const fullWarm = spawnSync(process.execPath, [bin, 'fix', '--check', '--no-color', ...examples.filter((f) => existsSync(f))], {
  env: { ...process.env, STACKOPT_WRITE_CODE_CACHE: fullCache, NO_COLOR: '1' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
// The files beside the bundle that a lint may load (yaml, for a file the fast reader leaves to it;
// the validator of a configuration file; the older stack validators) record their caches in a run
// of their own, which writes the bundle's cache nowhere it is kept: the bundle's cache holds what a
// lint of the examples compiles. With the 13 stack files in the bundle's warm-up too, its cache was
// 8 KB larger and a small lint took 60 more page faults (3,840 against 3,780) and 1.03x the CPU;
// 100 corpus files cost the same either way.
const chunkDir = mkdtempSync(join(tmpdir(), 'stackopt-warm-chunks-'));
writeFileSync(join(chunkDir, '.stackopt.yaml'), 'rules:\n  resource-limits: warning\n');
// CR LF line ends: the fast reader leaves the file to yaml
writeFileSync(join(chunkDir, 'compose.yaml'), '# left to yaml\r\nservices:\r\n  app:\r\n    image: app:1\r\n    ports: ["8080:80"]\r\n    environment:\r\n      A: "1"\r\n');
// --color: the lint loads chalk from beside the bundle (a lint without colour does not)
const chunkWarm = spawnSync(process.execPath, [bin, 'lint', '--color', join(chunkDir, 'compose.yaml'), ...versionFiles], {
  cwd: chunkDir,
  env: { ...process.env, STACKOPT_WRITE_CODE_CACHE: join(chunkDir, 'bundle.cache'), NO_COLOR: '1' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
rmSync(versionDir, { recursive: true, force: true });
rmSync(chunkDir, { recursive: true, force: true });
const chunkCaches = ['yaml', 'config-validator', 'commander', 'chalk'].map((n) => join(outdir, `${n}.cjs.cache`));
if (chunkCaches.some((f) => !existsSync(f))) throw new Error(`build-bundle: no code cache for ${chunkCaches.filter((f) => !existsSync(f)).join(', ')} (${chunkWarm.stderr})`);
if (!existsSync(cache)) throw new Error(`build-bundle: no code cache written for lint.cjs (${warm.stderr})`);
if (!existsSync(fullCache)) throw new Error(`build-bundle: no code cache written for stackopt.cjs (${fullWarm.stderr})`);
const missing = Array.from({ length: 13 }, (_, minor) => join(root, `dist/stack-validators/config_schema_v3.${minor}.cjs.cache`)).filter((f) => !existsSync(f));
if (missing.length > 0) throw new Error(`build-bundle: no code cache for ${missing.join(', ')} (${chunkWarm.stderr})`);
console.error(`build-bundle: ${(bytes / 1024).toFixed(0)} KiB -> dist/bundle/stackopt.cjs, ${(lintBytes / 1024).toFixed(0)} KiB -> dist/bundle/lint.cjs, each with its V8 code cache; the API -> dist/api/`);
