/**
 * Once a file of 4 MiB or more is read, bin/stackopt.js changes how V8 collects garbage while the
 * run goes on (`--heap-growing-percent=30`; for an audit also `--no-parallel-scavenge
 * --semi-space-growth-factor=4 --no-incremental-marking`). A flag set while running can stop V8 (some do, at the next full
 * collection), so these runs are checked end to end: the built CLI on inputs past the threshold,
 * against the same work done in this process, where no flag is set.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module of the benchmarks, without types
import { bigStack, swarmSnapshot } from '../bench/generate.mjs';
import { lint } from '../src/api/index.js';
import { auditSnapshot } from '../src/audit/audit.js';
import { parseSnapshot } from '../src/audit/snapshot.js';
import { formatAuditHuman } from '../src/format/audit-human.js';
import { assertBuilt, jsonFindings, runCliAsync, tempProject } from './helpers/cli.js';

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
  /** the flags set after start-up (the first line is the optimisation budget bin sets on V8 11) */
  const setWhileRunning = (log: string) => (existsSync(join(p.dir, log)) ? readFileSync(join(p.dir, log), 'utf8').trim().split('\n').slice(1) : []);
  const onV8_11 = process.versions.v8.startsWith('11.');

  it('lint: a 4 MiB stack file gets the findings the same lint gets in process', async () => {
    // 2,000 services, then comment lines up to the threshold: the flag is set once the file is read,
    // before its tree and model are built
    const stack = bigStack(2000);
    const pad = '# padding of comment lines, read and dropped\n';
    const text = stack + pad.repeat(Math.ceil((THRESHOLD - stack.length) / pad.length) + 1);
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(THRESHOLD);
    const file = join(p.dir, 'docker-compose.yml');
    writeFileSync(file, text);
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

  it('audit --snapshot: a snapshot of 4 MiB gets the report the same audit gets in process', async () => {
    const text = JSON.stringify(swarmSnapshot(1200, 120));
    expect(text.length).toBeGreaterThanOrEqual(THRESHOLD);
    const file = join(p.dir, 'snapshot.json');
    writeFileSync(file, text);
    const run = await runCliAsync(['audit', '--snapshot', file, '--no-color'], p.dir, flagged('audit-flags.txt'));
    expect(setWhileRunning('audit-flags.txt')).toEqual(onV8_11 ? ['--heap-growing-percent=30', '--no-parallel-scavenge --semi-space-growth-factor=4 --no-incremental-marking'] : []);
    expect(run.stderr).toBe('');
    const own = formatAuditHuman(auditSnapshot(parseSnapshot(text, file)), { color: false });
    expect(own.length).toBeGreaterThan(100_000);
    expect(run.stdout.trimEnd()).toBe(own.trimEnd());
  }, 600_000);
});
