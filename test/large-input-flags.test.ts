/**
 * Once a file of 4 MiB or more is read, bin/stackopt.js changes how V8 collects garbage while the
 * run goes on (`--heap-growing-percent=30`; for an audit also `--no-parallel-scavenge
 * --no-incremental-marking --semi-space-growth-factor=4`); `fix` does from 8 KiB on and `lint`
 * from 256 KiB to 4 MiB (`--no-incremental-marking --semi-space-growth-factor=4`). A flag set while running can stop V8 (some do, at the next full
 * collection), so these runs are checked end to end: the built CLI on inputs past the threshold,
 * against the same work done in this process, where no flag is set. A lint whose report goes to a
 * pipe sets the flags through node:v8, one whose report goes to a file through the binding under it.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module of the benchmarks, without types
import { bigStack, dirtyStack, swarmSnapshot } from '../bench/generate.mjs';
import { fix, lint } from '../src/api/index.js';
import { auditSnapshot } from '../src/audit/audit.js';
import { parseSnapshot } from '../src/audit/snapshot.js';
import { formatAuditHuman } from '../src/format/audit-human.js';
import { assertBuilt, jsonFindings, repoRoot, runCliAsync, tempProject } from './helpers/cli.js';

const THRESHOLD = 4 * 1024 * 1024;

describe('inputs of several MiB (V8 flags set while running)', () => {
  assertBuilt();
  const p = tempProject({});
  afterAll(() => p.cleanup());
  // a preload that writes down each V8 flag set while running, so that a case shows the flags were set
  // (the run then keeps its code cache in the project's folder, as under any NODE_OPTIONS)
  const preload = join(p.dir, 'flag-log.cjs');
  writeFileSync(preload, "const v8 = require('node:v8'); const set = v8.setFlagsFromString; const { appendFileSync } = require('node:fs');\nv8.setFlagsFromString = (f) => { appendFileSync(process.env.FLAG_LOG, f + '\\n'); return set(f); };\n");
  const flagged = (log: string) => ({ NODE_OPTIONS: `--require ${preload}`, XDG_CACHE_HOME: join(p.dir, 'cache'), FLAG_LOG: join(p.dir, log) });
  /** the flags set after start-up (the first two lines are what bin sets at start on V8 11: the optimisation budget, and under the user's caches their checksum) */
  const setWhileRunning = (log: string) => {
    const lines = existsSync(join(p.dir, log)) ? readFileSync(join(p.dir, log), 'utf8').trim().split('\n') : [];
    if (onV8_11) expect(lines.slice(0, 2)).toEqual(['--interrupt-budget=1622016', '--verify-snapshot-checksum']);
    return lines.slice(2);
  };
  const onV8_11 = process.versions.v8.startsWith('11.');

  /** 2,000 services, then comment lines up to the threshold: the flag is set once the file is read, before its tree and model are built */
  const largeStack = () => {
    const file = join(p.dir, 'docker-compose.yml');
    if (existsSync(file)) return { file, text: readFileSync(file, 'utf8') };
    const stack = bigStack(2000);
    const pad = '# padding of comment lines, read and dropped\n';
    const text = stack + pad.repeat(Math.ceil((THRESHOLD - stack.length) / pad.length) + 1);
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(THRESHOLD);
    writeFileSync(file, text);
    return { file, text };
  };

  it('lint: a 4 MiB stack file gets the findings the same lint gets in process', async () => {
    const { file, text } = largeStack();
    const run = await runCliAsync(['lint', '--format', 'json', file], p.dir, flagged('lint-flags.txt'));
    expect(setWhileRunning('lint-flags.txt')).toEqual(onV8_11 ? ['--heap-growing-percent=30'] : []);
    expect(run.stderr).toBe('');
    // exit 0: the generated services' findings are warnings (the default --fail-on is error)
    expect(run.status).toBe(0);
    const cli = jsonFindings(run).map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`);
    const own = lint(text, { filePath: file }).findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`);
    expect(cli.length).toBeGreaterThan(2000);
    expect(cli).toEqual(own);
  }, 600_000);

  it('lint with its report written straight to a file: the flags are set through process.binding(\'v8\'), node:v8 unloaded', async () => {
    // Standard output a regular file: bin/stackopt.js writes the report with writeSync and sets V8's
    // flags through the binding's setFlagsFromString (v8Flags), not node:v8. The preload wraps that
    // function (node:v8, were it loaded, would call the wrapper too: which module was loaded is
    // written down at exit) and takes the binding without printing node's deprecation warning.
    const { file, text } = largeStack();
    const preloadBinding = join(p.dir, 'binding-flag-log.cjs');
    writeFileSync(
      preloadBinding,
      "const { appendFileSync, writeFileSync } = require('node:fs');\nprocess.noDeprecation = true;\nconst binding = process.binding('v8');\ndelete process.noDeprecation;\n" +
        "const set = binding.setFlagsFromString;\nbinding.setFlagsFromString = (f) => { appendFileSync(process.env.FLAG_LOG, f + '\\n'); return set(f); };\n" +
        "process.on('exit', () => writeFileSync(process.env.FLAG_LOG + '.v8', String(process.moduleLoadList.includes('NativeModule v8'))));\n",
    );
    const log = join(p.dir, 'binding-flags.txt');
    const report = join(p.dir, 'binding-report.json');
    const out = openSync(report, 'w');
    const run = await new Promise<{ status: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'stackopt.js'), 'lint', '--format', 'json', file], {
        cwd: p.dir,
        stdio: ['ignore', out, 'pipe'],
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', NODE_OPTIONS: `--require ${preloadBinding}`, XDG_CACHE_HOME: join(p.dir, 'cache'), FLAG_LOG: log },
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('close', (status) => done({ status, stderr }));
    });
    closeSync(out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // the optimisation budget and the caches' checksum at start, then the heap flag once the file is read: the flags the run into a pipe sets
    expect(existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []).toEqual(onV8_11 ? ['--interrupt-budget=1622016', '--verify-snapshot-checksum', '--heap-growing-percent=30'] : []);
    expect(readFileSync(`${log}.v8`, 'utf8')).toBe('false');
    const cli = jsonFindings({ status: 0, stdout: readFileSync(report, 'utf8'), stderr: '' }).map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`);
    const own = lint(text, { filePath: file }).findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`);
    expect(cli.length).toBeGreaterThan(2000);
    expect(cli).toEqual(own);
  }, 600_000);

  it('lint: a file of 256 KiB to 4 MiB gets GC_FLAGS and the findings the same lint gets in process, once its code cache is recorded; one of 4 MiB the lean heap only', async () => {
    const text = bigStack(2000);
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(256 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThan(THRESHOLD);
    const file = join(p.dir, 'stack-2000.yml');
    writeFileSync(file, text);
    // a cache folder of its own: the first lint of the lint bundle in it records the cache
    const caches = join(p.dir, 'lint-cache');
    const cacheFiles = () => (existsSync(join(caches, 'stackopt')) ? readdirSync(join(caches, 'stackopt')).map((f) => `${f} ${statSync(join(caches, 'stackopt', f)).mtimeMs}`).sort() : []);
    const own = lint(text, { filePath: file }).findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`);
    expect(own.length).toBeGreaterThan(2000);
    for (const [run, flags] of [[1, []], [2, ['--no-incremental-marking --semi-space-growth-factor=4']]] as const) {
      const before = cacheFiles();
      const result = await runCliAsync(['lint', '--format', 'json', file], p.dir, { ...flagged(`lint-gc-${run}.txt`), XDG_CACHE_HOME: caches });
      expect(setWhileRunning(`lint-gc-${run}.txt`), `run ${run}`).toEqual(onV8_11 ? flags : []);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      if (run === 1) expect(cacheFiles().filter((f) => f.startsWith('lint-'))).toHaveLength(1);
      else expect(cacheFiles()).toEqual(before);
      expect(jsonFindings(result).map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`)).toEqual(own);
    }
    // with the cache there, a file of 4 MiB gets the lean heap only (both raised the peak of 20,000 services past 300 MiB)
    const large = await runCliAsync(['lint', '-q', largeStack().file], p.dir, { ...flagged('lint-gc-large.txt'), XDG_CACHE_HOME: caches });
    expect(large.status).toBe(0);
    expect(setWhileRunning('lint-gc-large.txt')).toEqual(onV8_11 ? ['--heap-growing-percent=30'] : []);
  }, 600_000);

  it('fix: a file of 8 KiB or more gets GC_FLAGS and the fixed text the same fix gives in process, once its code cache is recorded; a smaller one gets no flag', async () => {
    // bench/generate.mjs's stack that needs fixing, cut after its first 100 services (about 14 KB) and its first 3
    const full = dirtyStack();
    const cut = (n: number) => full.slice(0, full.indexOf(`\n  svc-${n}:`) + 1);
    // a cache folder of its own: the first run of the full bundle in it records the cache
    const cacheHome = join(p.dir, 'fix-cache');
    const caches = join(cacheHome, 'stackopt');
    /** the user's code caches (the preload's NODE_OPTIONS make them the run's), each with when it was written */
    const cacheFiles = () => (existsSync(caches) ? readdirSync(caches).map((f) => `${f} ${statSync(join(caches, f)).mtimeMs}`).sort() : []);
    const bundleCaches = () => cacheFiles().filter((f) => f.startsWith('bundle-'));
    expect(bundleCaches()).toEqual([]);
    const GC = ['--no-incremental-marking --semi-space-growth-factor=4'];
    // the first run of the full bundle records its cache, and so sets no flag; the next one sets them and records nothing
    for (const [n, run, flags] of [[100, 1, []], [100, 2, GC], [3, 3, []]] as const) {
      const text = cut(n);
      expect(Buffer.byteLength(text) >= 8 * 1024).toBe(n === 100);
      const file = join(p.dir, `fix-${n}.yml`);
      writeFileSync(file, text);
      const before = cacheFiles();
      const result = await runCliAsync(['fix', '--stdout', file], p.dir, { ...flagged(`fix-${run}-flags.txt`), XDG_CACHE_HOME: cacheHome });
      expect(setWhileRunning(`fix-${run}-flags.txt`), `run ${run}`).toEqual(onV8_11 ? flags : []);
      expect(result.status).toBe(0);
      if (run === 1) expect(bundleCaches()).toHaveLength(1);
      if (flags.length > 0) expect(cacheFiles()).toEqual(before);
      const own = fix(text, { filePath: file });
      expect(own.applied.length).toBeGreaterThan(n);
      expect(result.stdout).toBe(own.output);
    }
  }, 600_000);

  it('audit --snapshot: a snapshot of 4 MiB gets the report the same audit gets in process', async () => {
    const text = JSON.stringify(swarmSnapshot(1200, 120));
    expect(text.length).toBeGreaterThanOrEqual(THRESHOLD);
    const file = join(p.dir, 'snapshot.json');
    writeFileSync(file, text);
    const run = await runCliAsync(['audit', '--snapshot', file, '--no-color'], p.dir, flagged('audit-flags.txt'));
    expect(setWhileRunning('audit-flags.txt')).toEqual(onV8_11 ? ['--heap-growing-percent=30', '--no-parallel-scavenge --no-incremental-marking --semi-space-growth-factor=4'] : []);
    expect(run.stderr).toBe('');
    const own = formatAuditHuman(auditSnapshot(parseSnapshot(text, file)), { color: false });
    expect(own.length).toBeGreaterThan(100_000);
    expect(run.stdout.trimEnd()).toBe(own.trimEnd());
  }, 600_000);
});
