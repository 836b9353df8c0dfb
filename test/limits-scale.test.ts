import { cpuRatio, cpuRatioAsync } from './helpers/measure.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixProject, checkBudget } from '../src/fix/fix-project.js';
import { lintProject } from '../src/engine/lint.js';
import { loadFormatter } from '../src/format/index.js';
import type { Finding } from '../src/engine/types.js';
import { assertBuilt, jsonFindings, repoRoot, type CliRun } from './helpers/cli.js';
import { pushAll, maxOf } from '../src/parse/collect.js';
import { run } from '../src/cli/main.js';

/**
 * Work that must not grow faster than the input: a project with more findings than a call can take
 * arguments, and fixes whose edit lands on a definition thousands of services share.
 */
const dir = mkdtempSync(join(tmpdir(), 'stackopt-scale-'));
assertBuilt();
const execFileP = promisify(execFile);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The built CLI at a tenth of V8's default stack (984 KB), where a call of more than about 12,000 arguments, or a recursion of about 1,000 calls, fails. */
async function smallStackCli(args: string[]): Promise<CliRun> {
  const r = await execFileP(process.execPath, ['--stack-size=100', join(repoRoot, 'bin/stackopt.js'), ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  return { status: 'code' in r ? r.code : 0, stdout: r.stdout, stderr: r.stderr };
}

describe('findings beyond the argument limit', () => {
  it('pushAll and maxOf take more items than a spread call can', () => {
    const many = Array.from({ length: 300_000 }, (_, i) => i);
    expect(() => [].push(...(many as never[]))).toThrow(RangeError); // what they replace
    expect(pushAll([-1], many)).toHaveLength(300_001);
    expect(maxOf(many, (x) => x)).toBe(299_999);
    expect(maxOf([], (x: number) => x, 4)).toBe(4);
  });

  it('prints 150,000 findings in the stylish format (which measured its columns with a spread)', async () => {
    const findings: Finding[] = Array.from({ length: 150_000 }, (_, i) => ({
      ruleId: 'secrets-in-environment',
      severity: i % 2 ? 'warning' : 'error',
      message: `finding ${i}`,
      file: 'compose.yml',
      service: 'app',
      path: `services.app.environment.K${i}`,
      line: i + 5,
      column: 7,
      endLine: i + 5,
      endColumn: 9,
      fixable: false,
    }));
    const out = (await loadFormatter('stylish'))!([{ file: 'compose.yml', findings }], { color: false, version: '0.0.0', cwd: dir });
    expect(out).toContain('150004:7  warning  finding 149999');
  }, 600_000);

  // V8 fails a call with more than about 120,000 arguments at its default stack (984 KB); with a
  // tenth of that stack the same spread fails near 12,000. 20,000 findings under `--stack-size=100`
  // go through every input-sized spread of lint and fix at a fraction of the cost of 150,000
  // (before: "internal error: Maximum call stack size exceeded", exit 3).
  it('lints and fixes a project with more findings than a spread call takes arguments', async () => {
    let t = 'services:\n  app:\n    image: nginx:1.27\n    environment:\n';
    for (let i = 0; i < 20_000; i++) t += `      PASSWORD_${i}: "s3cr3t-value-${i}"\n`;
    const file = write('many-findings.yml', t);
    const cli = smallStackCli;
    for (const format of ['compact', 'sarif']) {
      const lint = await cli(['lint', file, '--format', format]);
      expect(lint.stderr, format).toBe('');
      expect(lint.status, format).toBe(1);
      expect(lint.stdout, format).toContain('PASSWORD_19999');
    }
    const fix = await cli(['fix', file, '-o', join(dir, 'many-findings.out.yml')]);
    expect(fix.stderr).toBe('');
    expect(fix.status).toBe(0);
    expect(fix.stdout).toContain('left 20003 in 1 project');
  }, 600_000);
});

/** n services merging one anchor that holds what the fixes edit (security_opt, deploy). */
function sharedAnchorStack(n: number): string {
  let t = 'x-common: &common\n  image: nginx:1.27\n  security_opt:\n    - label:disable\n  deploy:\n    mode: replicated\n\nservices:\n';
  for (let i = 0; i < n; i++) t += `  svc-${i}:\n    <<: *common\n`;
  return t;
}

/** A chain of n services, each extending the one before. */
function extendsChainStack(n: number): string {
  let t = 'services:\n  base-0:\n    image: nginx:1.27\n';
  for (let i = 1; i < n; i++) t += `  base-${i}:\n    extends: base-${i - 1}\n`;
  return t;
}

describe('fixes of a definition many services share', () => {
  it('fixes the anchor 300 services merge once, for all of them', () => {
    const file = write('anchor-300.yml', sharedAnchorStack(300));
    const r = fixProject({ files: [file] });
    const out = r.files[0]!.output;
    expect(r.passes).toBe(1);
    // one edit in the anchor, none in the services
    expect(out.split('no-new-privileges:true')).toHaveLength(2);
    expect(out).toMatch(/^ {4}- label:disable\n {4}- no-new-privileges:true\n {2}deploy:\n {4}mode: replicated\n {4}replicas: 2\n/m);
    expect(out.slice(out.indexOf('services:'))).toBe(sharedAnchorStack(300).slice(sharedAnchorStack(300).indexOf('services:')));
    expect(r.after.filter((f) => ['no-new-privileges', 'critical-single-replica', 'resource-limits'].includes(f.ruleId))).toEqual([]);
    const shared = r.applied.find((a) => a.ruleId === 'no-new-privileges' && a.service === 'svc-7')!;
    // the description names a few services and counts the rest
    expect(shared.description).toBe('added no-new-privileges:true to security_opt (in the shared definition used by "svc-7", "svc-0", "svc-1", "svc-10", "svc-100" and 295 other services)');
    // fixing again changes nothing
    const again = fixProject({ files: [write('anchor-300-again.yml', out)] });
    expect(again.files[0]!.changed).toBe(false);
  }, 300_000);

  it('fixes the base of a 60-link extends chain in a bounded number of checks', () => {
    const file = write('chain-60.yml', extendsChainStack(60));
    const r = fixProject({ files: [file] });
    const out = r.files[0]!.output;
    // base-0 gets the change every link needs; the links stay as written
    expect(out.split('no-new-privileges:true')).toHaveLength(2);
    expect(out).toContain('  base-0:\n    image: nginx:1.27\n');
    expect(out).toContain('  base-59:\n    extends: base-58\n');
    expect(r.after.filter((f) => f.ruleId === 'no-new-privileges' || f.ruleId === 'resource-limits')).toEqual([]);
    expect(r.dropped).toEqual([]);
  }, 300_000);

  // A recursion per link fails within 1,000 links at a tenth of V8's default stack (see the
  // spread test above): 5,000 links under `--stack-size=100` show that resolving the chain does
  // not recurse per link, at a tenth of the CPU of 20,000 links at the default stack.
  it('resolves an extends chain of 5,000 links written base-last, at a tenth of the stack (no recursion per link)', async () => {
    let t = 'services:\n';
    for (let i = 0; i < 4_999; i++) t += `  s${i}:\n    extends: s${i + 1}\n`;
    t += '  s4999:\n    image: nginx:1.27\n    privileged: true\n';
    const run = await smallStackCli(['lint', write('chain-reversed.yml', t), '--format', 'json']);
    expect(run.stderr).toBe('');
    const privileged = jsonFindings(run).filter((f) => f.ruleId === 'no-privileged');
    expect(privileged).toHaveLength(5_000);
    // each link inherits the value written once, at the end of the chain
    const s0 = privileged.find((f) => f.service === 's0')!;
    expect([s0.line, s0.column]).toEqual([10_002, 17]);
  }, 300_000);

  it('gives each pass a number of checks logarithmic in its fixes', () => {
    expect(checkBudget(1)).toBe(12);
    expect(checkBudget(1000)).toBe(48);
    expect(checkBudget(100_000)).toBe(76);
  });

  // Generous on purpose: CPU time (not wall time) at n and 8n; linear work is about 8 times the
  // CPU, the quadratic work this replaced was over 50 times (1,000 services: 24 s, 2,000: 61 s).
  it('takes CPU time about proportional to the services sharing the anchor', () => {
    const small = write('anchor-small.yml', sharedAnchorStack(150));
    const large = write('anchor-large.yml', sharedAnchorStack(1200));
    fixProject({ files: [small] }); // warm up the code paths
    expect(cpuRatio((file: string) => fixProject({ files: [file] }), small, large)).toBeLessThan(30);
  }, 300_000);
});

/**
 * n files (`-f` each) each adding to one service: a port (which the stylish report shows in that
 * file: ports-host-ip), a volume, an environment variable as a list and as a mapping entry, a label,
 * a secret, a network, a dependency, a host, a DNS server and a capability.
 */
function overrideFiles(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const head = i === 0 ? 'services:\n  web:\n    image: nginx:1.27\n' : 'services:\n  web:\n';
    const add =
      `    ports: ["${10_000 + i}:80"]\n    volumes: ["v${i}:/data/${i}"]\n    environment: [V${i}=x]\n    labels:\n      l${i}: x\n    secrets: [s${i}]\n` +
      `    networks: [n${i}]\n    depends_on: [d${i}]\n    extra_hosts: ["h${i}:10.0.0.1"]\n    dns: [10.1.${i >> 8}.${i & 255}]\n    cap_add: [C${i}]\n`;
    return write(`override-${n}-${i}.yml`, head + add);
  });
}

describe('many -f files overriding one service', () => {
  // CPU time at n and 16n files, through the command line: linear work is about 16 times. Each
  // file's merge copied what the files before had merged, the parser of a repeated option copied
  // the list so far, and the stylish report searched the files for each file it reported on
  // (256 files: 196 ms, 4,096: 28.6 s, ratio 146; now 154 ms and 907 ms).
  it('lints them in time about proportional to their number', async () => {
    const lint = (files: string[]) => run(['lint', ...files.flatMap((f) => ['-f', f])], { stdout: () => {}, stderr: () => {}, isTTY: false });
    const small = overrideFiles(256);
    const large = overrideFiles(16 * 256);
    let out = '';
    expect(await run(['lint', ...small.flatMap((f) => ['-f', f])], { stdout: (t) => void (out += t), stderr: () => {}, isTTY: false })).toBe(1);
    expect(out).toMatch(/override-256-255\.yml\n {2}3:13 +warning +service "web" publishes port "10255:80" on every interface/);
    expect(await cpuRatioAsync(lint, small, large)).toBeLessThan(100);
  }, 600_000);
});
