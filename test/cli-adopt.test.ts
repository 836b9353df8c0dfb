import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jsonFindings, onlyRules, repoRoot, runCliAsync as cli, tempProjects, type CliRun } from './helpers/cli.js';

/**
 * Adopting stackopt on an existing repository, end to end on real files: --rule, --fail-on (and
 * failOn in the configuration), -q's count, --max-warnings -1, --color, advice for other linters'
 * flags, and the nearest configuration per file. `stackopt init` is in cli-init.test.ts.
 */
beforeAll(assertBuilt);
const project = tempProjects();

const COMPOSE = `services:
  web:
    image: nginx:1.27
  db:
    image: postgres:16
`;
const rulesOf = (run: CliRun) => jsonFindings(run).map((f) => `${f.ruleId}:${f.severity}:${f.service}`);
const filesOf = (run: CliRun) => (JSON.parse(run.stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file);

describe('--rule ID:SEVERITY', () => {
  const p = project({ '.stackopt.yaml': onlyRules({ 'healthcheck-required': 'warning', 'non-root-user': 'warning' }), 'compose.yaml': COMPOSE });

  it('sets a severity over the configuration: off, info, warning, error; later wins', async () => {
    expect(rulesOf(await cli(['lint', '--format', 'json'], p.dir))).toEqual([
      'healthcheck-required:warning:web',
      'non-root-user:warning:web',
      'healthcheck-required:warning:db',
      'non-root-user:warning:db',
    ]);
    const run = await cli(['lint', '--format', 'json', '--rule', 'healthcheck-required:off', '--rule', 'non-root-user:info', '--rule', 'non-root-user:error'], p.dir);
    expect(rulesOf(run)).toEqual(['non-root-user:error:web', 'non-root-user:error:db']);
    expect(run.status).toBe(1);
    // a rule the configuration turns off runs when the command line says so
    expect(rulesOf(await cli(['lint', '--format', 'json', '--rule', 'no-privileged:error', '--rule', 'healthcheck-required:off', '--rule', 'non-root-user: off'], p.dir))).toEqual([]);
    expect(rulesOf(await cli(['lint', '--format', 'json', '--rule', 'image-tag-pinned : info', '--rule', 'healthcheck-required:off', '--rule', 'non-root-user:off'], p.dir))).toEqual([]);
  });

  it('keeps the options the configuration gives the rule', async () => {
    const q = project({
      '.stackopt.yaml': onlyRules({}, '').replace('  healthcheck-required: off', '  healthcheck-required: {severity: warning, options: {ignoreImages: ["nginx*"]}}'),
      'compose.yaml': COMPOSE,
    });
    const run = await cli(['lint', '--format', 'json', '--rule', 'healthcheck-required:error'], q.dir);
    expect(rulesOf(run)).toEqual(['healthcheck-required:error:db']);
    expect(run.status).toBe(1);
  });

  const bad: Array<[string, string]> = [
    ['healthcheck-requird:off', 'stackopt: --rule healthcheck-requird:off: unknown rule "healthcheck-requird"; did you mean "healthcheck-required"? (stackopt rules lists them)\n'],
    ['healthcheck-required:fatal', 'stackopt: --rule healthcheck-required:fatal: the severity must be off, info, warning or error, not "fatal"\n'],
    ['healthcheck-required', 'stackopt: --rule takes ID:SEVERITY (severity off, info, warning or error), e.g. --rule healthcheck-required:off; not "healthcheck-required"\n'],
  ];
  for (const [spec, message] of bad) {
    it(`--rule ${spec}: exit 2, one line, nothing linted`, async () => {
      const run = await cli(['lint', '--rule', spec], p.dir);
      expect(run.stderr).toBe(message);
      expect(run.stdout).toBe('');
      expect(run.status).toBe(2);
    });
  }

  it('fix: --rule ID applies only that rule\'s fixes; --rule ID:off leaves the rule out', async () => {
    const q = project({ '.stackopt.yaml': onlyRules({ 'resource-limits': 'error', 'no-new-privileges': 'warning' }), 'compose.yaml': COMPOSE });
    const only = await cli(['fix', '--diff', '--rule', 'resource-limits'], q.dir);
    expect(only.status).toBe(0);
    expect(only.stdout).toContain('+      resources:');
    expect(only.stdout).not.toContain('no-new-privileges');
    expect(only.stderr).toMatch(/left +no-new-privileges/);
    const off = await cli(['fix', '--diff', '--rule', 'resource-limits:off'], q.dir);
    expect(off.status).toBe(0);
    expect(off.stdout).not.toContain('resources:');
    expect(off.stdout).toContain('+    security_opt:');
    expect(off.stderr).not.toContain('resource-limits');
    const bad = await cli(['fix', '--rule', 'resource-limit:off'], q.dir);
    expect(bad.stderr).toBe('stackopt: --rule resource-limit:off: unknown rule "resource-limit"; did you mean "resource-limits"? (stackopt rules lists them)\n');
    expect(bad.status).toBe(2);
  });
});

// update-config (at its own severities) under target swarm: a warning per replicated service, an
// info for a stateless one
const SWARM = `${onlyRules({ 'update-config': '{}' })}target: swarm\n`;
const SWARM_FINDINGS = ['update-config:warning:web', 'update-config:info:web', 'update-config:warning:db'];

describe('--fail-on, failOn, -q and --max-warnings', () => {
  const p = project({ '.stackopt.yaml': SWARM, 'compose.yaml': COMPOSE });

  it('the default threshold is error: warnings and infos pass', async () => {
    const run = await cli(['lint', '--format', 'json'], p.dir);
    expect(rulesOf(run)).toEqual(SWARM_FINDINGS);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('--fail-on warning fails on a warning, --fail-on info on an info, and says why', async () => {
    const w = await cli(['lint', '--fail-on', 'warning', '--format', 'compact'], p.dir);
    expect(w.status).toBe(1);
    expect(w.stderr).toBe('stackopt: 2 warnings fail the run (--fail-on warning)\n');
    const info = await cli(['lint', '--fail-on', 'info', '--format', 'compact', '--rule', 'update-config:info'], p.dir);
    expect(info.status).toBe(1);
    expect(info.stderr).toBe('stackopt: 3 infos fail the run (--fail-on info)\n');
    const onlyInfo = project({ '.stackopt.yaml': SWARM, 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      update_config: {failure_action: rollback}\n      rollback_config: {parallelism: 1}\n' });
    expect((await cli(['lint', '--fail-on', 'warning'], onlyInfo.dir)).status).toBe(0);
    expect((await cli(['lint', '--fail-on', 'info'], onlyInfo.dir)).status).toBe(1);
  });

  it('--fail-on none never fails on findings, errors included', async () => {
    const run = await cli(['lint', '--fail-on', 'none', '--rule', 'update-config:error', '--format', 'compact'], p.dir);
    expect(run.stdout.split('\n').filter((l) => l.includes('error')).length).toBe(3);
    expect(run.status).toBe(0);
  });

  it('failOn in the configuration, named when it fails a run; --fail-on wins over it', async () => {
    const q = project({ '.stackopt.yaml': `${SWARM}failOn: warning\n`, 'compose.yaml': COMPOSE });
    const run = await cli(['lint', '--format', 'compact'], q.dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('stackopt: 2 warnings fail the run (failOn: warning in .stackopt.yaml)\n');
    expect((await cli(['lint', '--fail-on', 'error'], q.dir)).status).toBe(0);
    const bad = project({ '.stackopt.yaml': 'failOn: warnings\n', 'compose.yaml': COMPOSE });
    const b = await cli(['lint'], bad.dir);
    expect(b.stderr).toBe('stackopt: invalid configuration: .stackopt.yaml:1:9: failOn must be one of "error", "warning", "info", "none", not the string "warnings"\n');
    expect(b.status).toBe(2);
  });

  it('--fail-on takes error, warning, info or none', async () => {
    const run = await cli(['lint', '--fail-on', 'warn'], p.dir);
    expect(run.stderr).toBe('stackopt: --fail-on takes error, warning, info or none, not "warn"\n');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });

  it('-q shows what can fail the run and says on stderr how much it hid', async () => {
    const q = await cli(['lint', '-q', '--format', 'json'], p.dir);
    expect(rulesOf(q)).toEqual([]);
    expect(q.stderr).toBe('stackopt: -q hid 2 warnings and 1 info (below the failure threshold; run without -q to see them)\n');
    expect(q.status).toBe(0);
    const w = await cli(['lint', '-q', '--fail-on', 'warning', '--format', 'json'], p.dir);
    expect(rulesOf(w)).toEqual(['update-config:warning:web', 'update-config:warning:db']);
    expect(w.stderr).toBe('stackopt: -q hid 1 info (below the failure threshold; run without -q to see them)\nstackopt: 2 warnings fail the run (--fail-on warning)\n');
    expect(w.status).toBe(1);
    // nothing hidden: no line
    const all = await cli(['lint', '-q', '--fail-on', 'info', '--format', 'json'], p.dir);
    expect(rulesOf(all)).toEqual(SWARM_FINDINGS);
    expect(all.stderr).toBe('stackopt: 2 warnings and 1 info fail the run (--fail-on info)\n');
    // none: errors only, as without --fail-on
    expect((await cli(['lint', '-q', '--fail-on', 'none', '--format', 'json'], p.dir)).stderr).toBe('stackopt: -q hid 2 warnings and 1 info (below the failure threshold; run without -q to see them)\n');
  });

  it('--max-warnings counts the warnings shown; -1 is no limit', async () => {
    const over = await cli(['lint', '--max-warnings', '1'], p.dir);
    expect(over.stderr).toBe('stackopt: 2 warnings, more than --max-warnings 1 allows\n');
    expect(over.status).toBe(1);
    expect((await cli(['lint', '--max-warnings', '2'], p.dir)).status).toBe(0);
    for (const args of [['--max-warnings', '-1'], ['--max-warnings=-1']]) {
      const run = await cli(['lint', ...args], p.dir);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
    // -q hides the warnings: they count for nothing
    expect((await cli(['lint', '-q', '--max-warnings', '0'], p.dir)).status).toBe(0);
    const bad = await cli(['lint', '--max-warnings', '-2'], p.dir);
    expect(bad.stderr).toBe('stackopt: --max-warnings takes a whole number of warnings (0 or more, or -1 for no limit), not "-2"\n');
    expect(bad.status).toBe(2);
  });
});

describe('--color', () => {
  const p = project({ '.stackopt.yaml': onlyRules({ 'no-privileged': 'error' }), 'compose.yaml': 'services:\n  a:\n    image: x:1\n    privileged: true\n' });
  const ESC = '\u001b[';

  it('forces colour when output is not a terminal, over NO_COLOR; the last of --color and --no-color wins', async () => {
    expect((await cli(['lint'], p.dir)).stdout).not.toContain(ESC);
    const forced = await cli(['lint', '--color'], p.dir, { NO_COLOR: '1' });
    expect(forced.stdout).toContain(`${ESC}31merror`);
    expect(forced.status).toBe(1);
    expect((await cli(['lint', '--color', '--no-color'], p.dir)).stdout).not.toContain(ESC);
    expect((await cli(['lint', '--no-color', '--color'], p.dir)).stdout).toContain(ESC);
  });

  it('colours a report file only when asked', async () => {
    await cli(['lint', '-o', 'plain.txt'], p.dir, { FORCE_COLOR: '1' });
    expect(readFileSync(join(p.dir, 'plain.txt'), 'utf8')).not.toContain(ESC);
    await cli(['lint', '--color', '-o', 'colour.txt'], p.dir);
    expect(readFileSync(join(p.dir, 'colour.txt'), 'utf8')).toContain(ESC);
  });

  it('fix takes it too', async () => {
    expect((await cli(['fix', '--diff', '--color'], p.dir)).stderr).toContain(ESC);
    expect((await cli(['fix', '--diff'], p.dir)).stderr).not.toContain(ESC);
  });
});

describe('flags of other linters', () => {
  const p = project({ 'compose.yaml': COMPOSE });
  const cases: Array<[string[], string]> = [
    [['lint', '--fix'], 'lint has no --fix option: lint only reports; `stackopt fix` applies the fixes: it writes <file>.optimized beside each file (--in-place overwrites the file, --diff prints the changes, --check exits 1 when a fix is pending)'],
    [['lint', 'compose.yaml', '--fix-dry-run'], 'lint has no --fix-dry-run option: `stackopt fix --diff` prints what the fixes would change and writes nothing; `stackopt fix --check` exits 1 when a fix is pending'],
    [['--debug', 'lint', '--failure-threshold=warning'], 'lint has no --failure-threshold option: use --fail-on error|warning|info|none'],
    [['lint', '--no-fail'], 'lint has no --no-fail option: use --fail-on none: findings are reported and do not fail the run'],
    [['lint', '--ignore', 'DL3008'], 'lint has no --ignore option: turn a rule off with --rule ID:off (or rules: {ID: off} in .stackopt.yaml); files to skip go under `ignore:` in .stackopt.yaml (.gitignore patterns); .gitignore itself is honoured'],
    [['fix', '--dry-run'], 'fix has no --dry-run option: --diff prints what the fixes would change and writes nothing; --check exits 1 when a fix is pending'],
  ];
  for (const [args, advice] of cases) {
    it(`${args.join(' ')}: says what stackopt does instead, exit 2`, async () => {
      const run = await cli(args, p.dir);
      expect(run.stderr).toBe(`stackopt: ${advice}\n`);
      expect(run.stdout).toBe('');
      expect(run.status).toBe(2);
      expect(existsSync(join(p.dir, 'compose.yaml.optimized'))).toBe(false);
    });
  }

  it('after --, --fix is a path', async () => {
    const run = await cli(['lint', '--', '--fix'], p.dir);
    expect(run.stderr).toBe('stackopt: --fix: cannot read file: no such file\n');
    expect(run.status).toBe(2);
  });
});

describe('the nearest configuration, per file', () => {
  // the root runs healthcheck-required, svc/ runs non-root-user: each file gets its own
  const tree = () =>
    project({
      '.stackopt.yaml': onlyRules({ 'healthcheck-required': 'warning' }),
      'compose.yaml': COMPOSE,
      'svc/.stackopt.yaml': onlyRules({ 'non-root-user': 'error' }),
      'svc/compose.yaml': COMPOSE,
    });

  it('from the folder of each file linted, not from the working directory', async () => {
    const p = tree();
    const run = await cli(['lint', '--format', 'json'], p.dir);
    expect(filesOf(run)).toEqual(['compose.yaml', 'svc/compose.yaml']);
    expect(jsonFindings(run).map((f) => `${f.file}:${f.ruleId}:${f.service}`)).toEqual([
      'compose.yaml:healthcheck-required:web',
      'compose.yaml:healthcheck-required:db',
      'svc/compose.yaml:non-root-user:web',
      'svc/compose.yaml:non-root-user:db',
    ]);
    expect(run.status).toBe(1);
    expect(rulesOf(await cli(['lint', '--format', 'json', 'svc/compose.yaml'], p.dir))).toEqual(['non-root-user:error:web', 'non-root-user:error:db']);
    // from inside svc/, the root's file is still linted under the root's configuration
    expect(rulesOf(await cli(['lint', '--format', 'json', '../compose.yaml'], join(p.dir, 'svc')))).toEqual(['healthcheck-required:warning:web', 'healthcheck-required:warning:db']);
  });

  it('the nearest alone applies: a rule it does not name has its default severity', async () => {
    const p = project({
      '.stackopt.yaml': onlyRules({ 'healthcheck-required': 'error' }),
      'svc/.stackopt.yaml': 'rules:\n  non-root-user: off\n',
      'svc/compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n',
    });
    const found = jsonFindings(await cli(['lint', '--format', 'json', 'svc/compose.yaml'], p.dir));
    expect(found.find((f) => f.ruleId === 'no-privileged')?.severity).toBe('error');
    expect(found.find((f) => f.ruleId === 'healthcheck-required')?.severity).toBe('warning');
    expect(found.some((f) => f.ruleId === 'non-root-user')).toBe(false);
  });

  it('-c FILE applies one configuration to every file', async () => {
    const p = tree();
    const run = await cli(['lint', '--format', 'json', '-c', '.stackopt.yaml'], p.dir);
    expect(jsonFindings(run).map((f) => `${f.file}:${f.ruleId}`)).toEqual([
      'compose.yaml:healthcheck-required',
      'compose.yaml:healthcheck-required',
      'svc/compose.yaml:healthcheck-required',
      'svc/compose.yaml:healthcheck-required',
    ]);
  });

  it('ignore patterns, target and failOn are each configuration\'s own', async () => {
    const p = project({
      '.stackopt.yaml': `${onlyRules({ 'update-config': 'warning' })}ignore: ["**/legacy.yml"]\n`,
      'compose.yaml': COMPOSE,
      'legacy.yml': COMPOSE,
      'svc/.stackopt.yaml': `${SWARM}ignore: [old/]\nfailOn: warning\n`,
      'svc/compose.yaml': COMPOSE,
      'svc/old/compose.yaml': COMPOSE,
      'svc/docker-compose.legacy.yml': COMPOSE,
    });
    const run = await cli(['lint', '--format', 'json', '.', 'legacy.yml', 'svc/old/compose.yaml'], p.dir);
    // svc/old is ignored by svc's patterns; the root's "**/legacy.yml" does not reach into svc/
    expect(filesOf(run)).toEqual(['compose.yaml', 'svc/compose.yaml', 'svc/docker-compose.legacy.yml']);
    expect(run.stderr).toBe(
      'stackopt: legacy.yml is not linted: the ignore patterns of .stackopt.yaml match it\n' +
        'stackopt: svc/old/compose.yaml is not linted: the ignore patterns of svc/.stackopt.yaml match it\n' +
        'stackopt: 4 warnings fail the run (failOn: warning in svc/.stackopt.yaml)\n',
    );
    // target swarm in svc/ only: update-config reports there, not at the root (target auto: compose)
    expect(jsonFindings(run).map((f) => f.file)).toEqual(['svc/compose.yaml', 'svc/compose.yaml', 'svc/compose.yaml', 'svc/docker-compose.legacy.yml', 'svc/docker-compose.legacy.yml', 'svc/docker-compose.legacy.yml']);
    expect(run.status).toBe(1);
    expect((await cli(['lint', 'compose.yaml'], p.dir)).status).toBe(0);
  });

  it('the search stops at the root of the git repository', async () => {
    const p = project({ '.stackopt.yaml': onlyRules({ 'healthcheck-required': 'error' }), 'repo/compose.yaml': COMPOSE });
    // not a repository: the configuration above applies
    expect(rulesOf(await cli(['lint', '--format', 'json'], join(p.dir, 'repo')))).toEqual(['healthcheck-required:error:web', 'healthcheck-required:error:db']);
    mkdirSync(join(p.dir, 'repo', '.git'));
    const inRepo = jsonFindings(await cli(['lint', '--format', 'json'], join(p.dir, 'repo')));
    expect(inRepo.find((f) => f.ruleId === 'healthcheck-required')?.severity).toBe('warning');
    expect(inRepo.some((f) => f.ruleId === 'non-root-user')).toBe(true);
    // the repository's own root configuration still counts
    writeFileSync(join(p.dir, 'repo', '.stackopt.yml'), onlyRules({ 'image-tag-pinned': 'error' }));
    mkdirSync(join(p.dir, 'repo', 'deep'));
    writeFileSync(join(p.dir, 'repo', 'deep', 'compose.yaml'), 'services:\n  a:\n    image: nginx\n');
    expect(rulesOf(await cli(['lint', '--format', 'json', 'deep/compose.yaml'], join(p.dir, 'repo')))).toEqual(['image-tag-pinned:error:a']);
  });

  it('a bad configuration is told once; the files under other configurations are still linted (exit 2)', async () => {
    const p = project({
      '.stackopt.yaml': onlyRules({ 'healthcheck-required': 'warning' }),
      'compose.yaml': COMPOSE,
      'svc/.stackopt.yaml': 'rules:\n  non-root-usr: off\n',
      'svc/compose.yaml': COMPOSE,
      'svc/docker-compose.yml': COMPOSE,
    });
    const run = await cli(['lint', '--format', 'json'], p.dir);
    expect(run.stderr).toBe('stackopt: invalid configuration: svc/.stackopt.yaml:2:3: unknown key "non-root-usr" in rules; did you mean "non-root-user"?\n');
    expect(filesOf(run)).toEqual(['compose.yaml']);
    expect(run.status).toBe(2);
  });

  it('fix uses each file\'s configuration too', async () => {
    const p = project({
      '.stackopt.yaml': onlyRules({ 'resource-limits': 'error' }),
      'compose.yaml': COMPOSE,
      'svc/.stackopt.yaml': onlyRules({ 'resource-limits': 'error' }, 'sizing:\n  preset: edge\n'),
      'svc/compose.yaml': COMPOSE,
    });
    expect((await cli(['fix'], p.dir)).status).toBe(0);
    // the database class: 2 CPUs / 4G by default, 1 CPU / 1G with the edge preset
    expect(readFileSync(join(p.dir, 'compose.yaml.optimized'), 'utf8')).toContain('memory: 4G');
    expect(readFileSync(join(p.dir, 'svc/compose.yaml.optimized'), 'utf8')).toContain('memory: 1G');
  });
});

describe('baseline in the configuration', () => {
  it('relative to the configuration\'s folder; --baseline wins over it; a missing one is exit 2', async () => {
    const p = project({
      'svc/.stackopt.yaml': `${onlyRules({ 'healthcheck-required': 'error' })}baseline: base.json\n`,
      'svc/compose.yaml': COMPOSE,
    });
    const missing = await cli(['lint'], p.dir);
    expect(missing.stderr).toBe('stackopt: cannot read baseline svc/base.json (the baseline of svc/.stackopt.yaml): no such file (create it with --write-baseline svc/base.json)\n');
    expect(missing.status).toBe(2);
    expect((await cli(['lint', '--write-baseline', 'svc/base.json'], p.dir)).stderr).toBe('stackopt: recorded 2 findings in svc/base.json; lint with --baseline svc/base.json to report only new ones\n');
    const clean = await cli(['lint'], p.dir);
    expect(clean.stdout).toBe('✔ no problems in 1 file\n');
    expect(clean.status).toBe(0);
    // from inside svc/ too
    expect((await cli(['lint'], join(p.dir, 'svc'))).status).toBe(0);
    // --baseline names another file: the configuration's is not read
    writeFileSync(join(p.dir, 'empty.json'), '{"stackopt": "baseline", "version": 1, "findings": []}\n');
    expect(rulesOf(await cli(['lint', '--format', 'json', '--baseline', 'empty.json'], p.dir))).toEqual(['healthcheck-required:error:web', 'healthcheck-required:error:db']);
    // a new finding fails the run
    writeFileSync(join(p.dir, 'svc/compose.yaml'), `${COMPOSE}  cache:\n    image: redis:7\n`);
    const fresh = await cli(['lint', '--format', 'json'], p.dir);
    expect(rulesOf(fresh)).toEqual(['healthcheck-required:error:cache']);
    expect(fresh.status).toBe(1);
  });
});

describe('a baseline that is not one', () => {
  it('is reported without quoting its text (a configuration may name any file)', async () => {
    const p = project({ '.stackopt.yaml': 'baseline: secret.txt\n', 'secret.txt': 'hunter2-password-value\n', 'compose.yaml': COMPOSE });
    const run = await cli(['lint'], p.dir);
    expect(run.stderr).toBe('stackopt: baseline secret.txt (the baseline of .stackopt.yaml): not JSON (write a baseline with --write-baseline)\n');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });
});

describe('audit: --rule, --fail-on and failOn', () => {
  // a snapshot recorded from a real engine: update-config reports warnings and infos on it
  const snapshot = join(repoRoot, 'fixtures', 'audit', 'single-node.json');

  it('the threshold and the severities apply to the audit too', async () => {
    const p = project({ '.stackopt.yaml': onlyRules({ 'update-config': '{}' }) });
    const plain = await cli(['audit', '--snapshot', snapshot, '--format', 'json'], p.dir);
    expect(new Set(jsonFindings(plain).map((f) => `${f.ruleId}:${f.severity}`))).toEqual(new Set(['update-config:warning', 'update-config:info']));
    expect(plain.status).toBe(0);
    expect((await cli(['audit', '--snapshot', snapshot, '--fail-on', 'warning'], p.dir)).status).toBe(1);
    expect((await cli(['audit', '--snapshot', snapshot, '--rule', 'update-config:error'], p.dir)).status).toBe(1);
    expect((await cli(['audit', '--snapshot', snapshot, '--rule', 'update-config:error', '--fail-on', 'none'], p.dir)).status).toBe(0);
    p.write('.stackopt.yaml', `${onlyRules({ 'update-config': '{}' })}failOn: info\n`);
    expect((await cli(['audit', '--snapshot', snapshot], p.dir)).status).toBe(1);
    expect((await cli(['audit', '--snapshot', snapshot, '--rule', 'update-config:off'], p.dir)).status).toBe(0);
    const bad = await cli(['audit', '--snapshot', snapshot, '--fail-on', 'fatal'], p.dir);
    expect(bad.stderr).toBe('stackopt: --fail-on takes error, warning, info or none, not "fatal"\n');
    expect(bad.status).toBe(2);
  });
});
