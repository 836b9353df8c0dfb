import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, onlyRules, runCli, tempProject } from './helpers/cli.js';
import { USAGE_FIXTURES } from './helpers/usage-fixtures.js';

const STACK = `# the shop
name: shop
services:
  web:
    image: myorg/web:1.4
    deploy:
      replicas: 2
  cache:
    image: redis:7
    deploy:
      resources:
        limits: {cpus: '0.5', memory: 4G}
  reporter:
    image: myorg/reporter:2
  search:
    image: myorg/search:1
`;

describe('stackopt lint and fix --usage', () => {
  let p: ReturnType<typeof tempProject>;
  beforeAll(() => {
    assertBuilt();
    p = tempProject({ 'compose.yaml': STACK, '.stackopt.yaml': onlyRules({ 'resource-limits': 'error', 'sleep-candidate': 'info' }) });
    for (const f of ['long.json', 'short.json']) copyFileSync(join(USAGE_FIXTURES, f), join(p.dir, f));
  });
  afterAll(() => p.cleanup());

  it('fix sizes from the profile where it has enough history, by preset elsewhere, and says which', () => {
    const r = runCli(['fix', 'compose.yaml', '--usage', 'long.json'], p.dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = readFileSync(join(p.dir, 'compose.yaml.optimized'), 'utf8');
    expect(out).toContain("        limits:\n          cpus: '0.55' # p99 0.445 CPU over 7d (40,320 samples), +21%\n          memory: 512M # peak 412Mi over 7d (40,320 samples), +21%\n");
    expect(out).toContain("          cpus: '0.55' # p99 0.424 CPU over 7d (20,160 samples), +21%\n          memory: 248M # peak 200Mi over 7d (20,160 samples), +21%\n");
    expect(out).toContain("  search:\n    image: myorg/search:1\n    deploy:\n      resources:\n        limits:\n          cpus: '1'\n          memory: 1G\n");
    const lines = r.stdout.split('\n');
    expect(lines).toContain(
      '  usage  long.json: 3 of 4 services sized from what they used; by preset: search (long.json has no "search" in stack "shop"); in the profile, not in this file: shop/db (last seen 2026-11-29)',
    );
    expect(lines).toContain(
      "  fixed  resource-limits  search: added limits cpus '1', memory 1G and reservations cpus '0.2', memory 512M (class default, preset default; not from usage: long.json has no \"search\" in stack \"shop\")",
    );
    // the far-above limit of cache needs --unsafe
    expect(r.stdout).toContain('  left   resource-limits  12:39  cache: unsafe, needs --unsafe: lowered limits.memory from 4G to 100M (peak 80Mi over 7d (20,160 samples), +22%)');
    // fixing the fixed file again changes nothing
    p.write('fixed.yaml', out);
    const again = runCli(['fix', 'fixed.yaml', '--usage', 'long.json', '--check'], p.dir);
    expect(again.stdout).toContain('fixed.yaml: nothing to fix');
    expect(again.status).toBe(0);
  });

  it('lint --usage: the far-above limit and the idle service, at their positions', () => {
    // the configuration sets resource-limits to error, which applies to its warning-level findings too
    const r = runCli(['lint', 'compose.yaml', '--usage', 'long.json', '--format', 'compact'], p.dir);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.includes('[sleep-candidate]'))).toEqual([
      'compose.yaml:13:3: info service "reporter" was idle (under 1% of a CPU) in 97% of its 20,160 samples over 7d (long.json) and has no x-sleep-policy; it could sleep while unused and give its memory back: add x-sleep-policy (schemas/sleep-policy.schema.json) [sleep-candidate]',
    ]);
    expect(lines.filter((l) => l.includes('"cache"'))).toEqual([expect.stringMatching(/^compose\.yaml:12:39: error service "cache" is limited to 4G of memory but used at most 80Mi/)]);
    expect(r.status).toBe(1); // the missing limits are errors
    // without --usage neither is reported
    const plain = runCli(['lint', 'compose.yaml', '--format', 'compact'], p.dir);
    expect(plain.stdout).not.toContain('sleep-candidate');
    expect(plain.stdout).not.toContain('4G of memory');
  });

  it('short history: presets, with the reason; --min-history lowers the minimum', () => {
    const r = runCli(['fix', 'compose.yaml', '--usage', 'short.json', '--diff'], p.dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('  usage  short.json: 0 of 4 services sized from what they used; by preset: web (40m of history (240 samples) for "web" is less than the 3h and 100 samples needed (--min-history lowers it))');
    const lowered = runCli(['fix', 'compose.yaml', '--usage', 'short.json', '--min-history', '30m', '--diff'], p.dir);
    expect(lowered.stdout).toMatch(/\+ {10}memory: \d+M # peak \d+Mi over 40m \(240 samples\), \+40% \(short history\)/);
    expect(lowered.stderr).toContain('  usage  short.json: 1 of 4 services sized from what they used');
  });

  it('a profile that cannot be used: one line with file:line:col, exit 2', () => {
    // idle.json, line 22: `      "service": "reporter",`
    p.write('bad.json', readFileSync(join(USAGE_FIXTURES, 'idle.json'), 'utf8').replace('"service": "reporter"', '"service": 7'));
    const r = runCli(['lint', 'compose.yaml', '--usage', 'bad.json'], p.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('stackopt: bad.json:22:18: services["shop/reporter"].service must be a string\n');
    expect(r.stdout).toBe('');
    p.write('old.json', '{"format": "other/2"}');
    expect(runCli(['fix', 'compose.yaml', '--usage', 'old.json'], p.dir).stderr).toBe(
      'stackopt: old.json:1:12: format is "other/2"; expected "stackopt-usage/1" (a profile of another version or another tool)\n',
    );
    const missing = runCli(['fix', 'compose.yaml', '--usage', 'nope.json'], p.dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('stackopt: cannot read usage profile nope.json: no such file\n');
    p.write('trunc.json', readFileSync(join(USAGE_FIXTURES, 'idle.json'), 'utf8').slice(0, 500));
    const trunc = runCli(['lint', 'compose.yaml', '--usage', 'trunc.json'], p.dir);
    expect(trunc.status).toBe(2);
    expect(trunc.stderr).toMatch(/^stackopt: trunc\.json:\d+:\d+: the usage profile is not valid JSON \(it ends too early\)\n$/);
  });

  it('usage errors: --min-history and --stack need --usage; bad values', () => {
    expect(runCli(['lint', 'compose.yaml', '--min-history', '1h'], p.dir).stderr).toBe('stackopt: --min-history takes effect only with --usage\n');
    expect(runCli(['fix', 'compose.yaml', '--stack', 'shop'], p.dir).stderr).toBe('stackopt: --stack takes effect only with --usage\n');
    const bad = runCli(['fix', 'compose.yaml', '--usage', 'long.json', '--min-history', 'soon'], p.dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('stackopt: --min-history takes a duration such as 30m, 3h or 1d, not "soon"\n');
    expect(runCli(['fix', 'compose.yaml', '--usage', 'long.json', '--stack', '../x'], p.dir).stderr).toBe('stackopt: --stack takes a stack or project name (letters, digits, _ . -), not "../x"\n');
  });
});
