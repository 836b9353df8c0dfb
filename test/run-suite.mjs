#!/usr/bin/env node
// `npm test` after the build: the type check (`--noEmit` over tsconfig.json, the tests included)
// runs beside `vitest run` instead of before it. It runs at a lower priority, in the CPU time the
// engine and CLI tests leave idle while they wait on their subprocesses; its report is printed
// after vitest's. Exits non-zero when either fails. Arguments go to vitest.
//
// The check is TypeScript's native compiler (`tsgo`, @typescript/native-preview), one thread:
// about 3 s of CPU where `tsc` takes about 20 s, over the same files and options
// (`npm run typecheck` runs `tsc`). Where tsgo is not installed, tsc checks.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
for (const tool of ['vitest/vitest.mjs']) {
  if (!existsSync(join(root, 'node_modules', tool))) {
    console.error(`npm test: node_modules/${tool} is missing: run \`npm ci\` first`);
    process.exit(2);
  }
}

const tsgo = join(root, 'node_modules/@typescript/native-preview/bin/tsgo');
// tsgo's compiler is a package of its own per platform, which npm installs as optional: without it
// (`npm ci --omit=optional`, a platform it does not cover) tsgo cannot run, and tsc checks
const tsgoCompiler = join(root, `node_modules/@typescript/native-preview-${process.platform}-${process.arch}`);
const checker = existsSync(tsgo) && existsSync(tsgoCompiler)
  ? { name: 'tsgo', args: [tsgo, '-p', 'tsconfig.json', '--noEmit', '--singleThreaded'] }
  : { name: 'tsc', args: [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'] };
if (!existsSync(checker.args[0])) {
  console.error('npm test: neither node_modules/@typescript/native-preview nor node_modules/typescript is installed: run `npm ci` first');
  process.exit(2);
}
const tsc = spawn(process.execPath, checker.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
try {
  setPriority(tsc.pid, 10);
} catch {
  /* not allowed here: it runs at the same priority */
}
let tscOut = '';
tsc.stdout.on('data', (d) => (tscOut += d));
tsc.stderr.on('data', (d) => (tscOut += d));
const typecheck = new Promise((done) => {
  tsc.on('error', (e) => done({ code: 1, seconds: 0, error: e.message }));
  tsc.on('close', (code, signal) => done({ code: code ?? 1, signal, seconds: (Date.now() - started) / 1000 }));
});

const vitest = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
const tests = new Promise((done) => {
  vitest.on('error', (e) => {
    console.error(`npm test: vitest could not start: ${e.message}`);
    done(1);
  });
  vitest.on('close', (code) => done(code ?? 1));
});
// ^C or a kill of this process ends both
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    tsc.kill(sig);
    vitest.kill(sig);
  });
}

const testCode = await tests;
const tc = await typecheck;
if (tc.code === 0) console.log(`typecheck (${checker.name} --noEmit): no errors (${tc.seconds.toFixed(0)} s, beside the tests)`);
else console.error(`typecheck (${checker.name} --noEmit) failed${tc.signal ? ` (${tc.signal})` : ''}${tc.error ? `: ${tc.error}` : ''}:\n${tscOut}`);
process.exit(testCode !== 0 ? testCode : tc.code === 0 ? 0 : 1);
