import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBaseline } from '../src/engine/baseline.js';
import type { Finding } from '../src/engine/types.js';
import { assertBuilt, jsonFindings, onlyRules, runCli, tempProject, tempProjects } from './helpers/cli.js';

/**
 * The CI gate end to end: --max-warnings, --quiet, baselines, --output-file, format names, and
 * directory discovery (node_modules, .git, .gitignore). Only a few rules run, via the config.
 */
beforeAll(assertBuilt);

const project = tempProjects();

// two warnings per service (healthcheck-required, non-root-user); an error only for privileged ones
const WARN_ONLY = onlyRules({ 'healthcheck-required': 'warning', 'non-root-user': 'warning', 'no-privileged': 'error' });
const svc = (name: string, extra = '') => `  ${name}:\n    image: myorg/app:12\n${extra}`;

describe('--max-warnings and --quiet (CLI)', () => {
  const p = project({ '.stackopt.yaml': WARN_ONLY, 'compose.yaml': `services:\n${svc('a')}${svc('b')}` });

  it('warnings alone pass; more than --max-warnings fails', () => {
    expect(runCli(['lint'], p.dir).status).toBe(0);
    expect(runCli(['lint', '--max-warnings', '4'], p.dir).status).toBe(0);
    const over = runCli(['lint', '--max-warnings', '3'], p.dir);
    expect(over.status).toBe(1);
    expect(over.stderr).toBe('stackopt: 4 warnings, more than --max-warnings 3 allows\n');
    expect(runCli(['lint', '--max-warnings', '0'], p.dir).status).toBe(1);
  });

  it('--max-warnings takes a whole number', () => {
    const run = runCli(['lint', '--max-warnings', 'many'], p.dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('stackopt: --max-warnings takes a whole number of warnings (0 or more, or -1 for no limit), not "many"\n');
  });

  it('--quiet reports errors only, and does not count warnings', () => {
    const q = runCli(['lint', '--quiet', '--format', 'json', '--max-warnings', '0'], p.dir);
    expect(jsonFindings(q)).toEqual([]);
    expect(q.status).toBe(0);
    const withError = project({ '.stackopt.yaml': WARN_ONLY, 'compose.yaml': `services:\n${svc('a', '    privileged: true\n')}` });
    const e = runCli(['lint', '-q', '--format', 'compact'], withError.dir);
    expect(e.stdout).toMatch(/^compose\.yaml:4:17: error .* \[no-privileged\]\n$/);
    expect(e.status).toBe(1);
  });
});

describe('baseline order', () => {
  it('entries in code-unit order (upper case before lower case), whatever the locale', () => {
    const f = (file: string, path: string): Finding =>
      ({ ruleId: 'r', severity: 'error', message: 'm', file, service: null, path, line: 1, column: 1, endLine: 1, endColumn: 1, fixable: false }) as Finding;
    const b = createBaseline([f('b.yml', 'x'), f('B.yml', 'x'), f('a.yml', 'services.web'), f('a.yml', 'services.Web')], '.');
    expect(b.findings.map((e) => [e.file, e.path])).toEqual([
      ['B.yml', 'x'],
      ['a.yml', 'services.Web'],
      ['a.yml', 'services.web'],
      ['b.yml', 'x'],
    ]);
  });
});

describe('baseline (CLI)', () => {
  it('old findings pass after lines move; a new one fails', () => {
    const p = project({ '.stackopt.yaml': WARN_ONLY, 'deploy/compose.yaml': `services:\n${svc('a', '    privileged: true\n')}${svc('b')}` });
    expect(runCli(['lint', 'deploy'], p.dir).status).toBe(1);
    const write = runCli(['lint', '--write-baseline', '.stackopt-baseline.json', 'deploy'], p.dir);
    expect(write.status).toBe(0);
    expect(write.stderr).toContain('recorded 5 findings in .stackopt-baseline.json');
    const baseline = JSON.parse(readFileSync(join(p.dir, '.stackopt-baseline.json'), 'utf8')) as { findings: Array<Record<string, unknown>> };
    expect(baseline.findings[0]).toEqual({ ruleId: 'healthcheck-required', file: 'deploy/compose.yaml', service: 'a', path: 'services.a', count: 1, message: expect.any(String) });
    expect(baseline.findings.some((f) => 'line' in f)).toBe(false);

    // lines move: a comment on top, a service inserted before the others
    p.write('deploy/compose.yaml', `# moved\n\nservices:\n${svc('z-new-but-clean', '    user: "1000"\n    healthcheck:\n      test: ["CMD", "true"]\n')}${svc('a', '    privileged: true\n')}${svc('b')}`);
    const same = runCli(['lint', '--baseline', '.stackopt-baseline.json', '--format', 'json', 'deploy'], p.dir);
    expect(jsonFindings(same)).toEqual([]);
    expect(same.status).toBe(0);

    // the baseline is found relative to itself, whatever the working directory
    const fromDeploy = runCli(['lint', '--baseline', '../.stackopt-baseline.json', '--format', 'json', '.'], join(p.dir, 'deploy'));
    expect(jsonFindings(fromDeploy)).toEqual([]);

    // a new finding fails: a second privileged service
    p.write('deploy/compose.yaml', `services:\n${svc('a', '    privileged: true\n')}${svc('b', '    privileged: true\n')}`);
    const fresh = runCli(['lint', '--baseline', '.stackopt-baseline.json', '--format', 'json', 'deploy'], p.dir);
    expect(jsonFindings(fresh).map((f) => `${f.ruleId} ${f.service}`)).toEqual(['no-privileged b']);
    expect(fresh.status).toBe(1);

    // fixed findings are counted as stale
    p.write('deploy/compose.yaml', `services:\n${svc('a', '    privileged: true\n')}`);
    const stale = runCli(['lint', '--baseline', '.stackopt-baseline.json', 'deploy'], p.dir);
    expect(stale.status).toBe(0);
    expect(stale.stderr).toContain('2 findings of .stackopt-baseline.json no longer occur');
  });

  it('a missing or malformed baseline is exit 2', () => {
    const p = project({ '.stackopt.yaml': WARN_ONLY, 'compose.yaml': `services:\n${svc('a')}`, 'bad.json': '{"findings": []}' });
    const missing = runCli(['lint', '--baseline', 'none.json'], p.dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('stackopt: cannot read baseline none.json: no such file (create it with --write-baseline none.json)\n');
    const bad = runCli(['lint', '--baseline', 'bad.json'], p.dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('stackopt: baseline bad.json: not a stackopt baseline (write one with --write-baseline)\n');
  });
});

describe('formats and output (CLI)', () => {
  const p = project({ '.stackopt.yaml': WARN_ONLY, 'compose.yaml': `services:\n${svc('a')}` });

  it('an unknown format is a usage error listing the valid names', () => {
    const run = runCli(['lint', '--format', 'sarif2'], p.dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('stackopt: unknown format "sarif2"; choose one of stylish, compact, json, sarif, github, junit, codeclimate, rdjson\n');
  });

  it('every format runs and -o writes the report to a file', () => {
    for (const f of ['stylish', 'compact', 'json', 'sarif', 'github', 'junit', 'codeclimate', 'rdjson']) {
      const run = runCli(['lint', '--format', f, '-o', `report.${f}`], p.dir);
      expect(run.status, f).toBe(0);
      expect(run.stdout, f).toBe('');
      expect(readFileSync(join(p.dir, `report.${f}`), 'utf8'), f).toMatch(/healthcheck-required/);
    }
  });

  it('github annotations name file, line and rule', () => {
    const run = runCli(['lint', '--format', 'github'], p.dir);
    expect(run.stdout.split('\n')[0]).toBe(
      '::warning file=compose.yaml,line=2,endLine=2,col=3,endColumn=4,title=healthcheck-required::' +
        run.stdout.split('\n')[0]!.split('::')[2],
    );
  });

  it('stackopt rules --format markdown prints the rule table', () => {
    const run = runCli(['rules', '--format', 'markdown'], p.dir);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual(['| rule | severity | fixable | why |', '| --- | --- | --- | --- |']);
    expect(runCli(['rules', '--format', 'html'], p.dir).status).toBe(2);
  });
});

describe('discovery (CLI)', () => {
  const compose = `services:\n${svc('a')}`;
  const p = project({
    '.stackopt.yaml': WARN_ONLY,
    'compose.yaml': compose,
    'node_modules/pkg/docker-compose.yml': compose,
    'build/docker-compose.yml': compose,
    'tmp/stack.yml': compose,
    'tmp/keep/stack.yml': compose,
    'app/docker-compose.yml': compose,
    'app/docker-compose.local.yml': compose,
    'app/generated/stack.yaml': compose,
    'app/.gitignore': '# app-level rules\n*.local.yml\n/generated/\n',
    'svc/compose.yml': compose,
    'svc/vendor-stack.yml': compose,
    'notes/stack.md': '# not yaml',
    'logs/stack.yml': compose,
    '.gitignore': 'build/\ntmp/*\n!tmp/keep/\nvendor-*.yml\nlogs/*.yml\n',
  });
  mkdirSync(join(p.dir, '.git', 'info'), { recursive: true });
  p.write('.git/info/exclude', 'svc/compose.yml\n');
  p.write('.git/compose.yaml', compose);

  const linted = (run: ReturnType<typeof runCli>) => (JSON.parse(run.stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file);

  it('finds compose files recursively, skipping node_modules, .git and what .gitignore ignores', () => {
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect(run.stderr).toBe('');
    expect(linted(run)).toEqual(['app/docker-compose.yml', 'compose.yaml', 'tmp/keep/stack.yml']);
  });

  it('honours the repository .gitignore for a sub-directory argument', () => {
    expect(linted(runCli(['lint', '--format', 'json', 'tmp'], p.dir))).toEqual(['tmp/keep/stack.yml']);
    expect(linted(runCli(['lint', '--format', 'json', '.'], join(p.dir, 'app')))).toEqual(['docker-compose.yml']);
  });

  it('an explicitly named file or folder is linted even when .gitignore matches it', () => {
    expect(linted(runCli(['lint', '--format', 'json', 'build/docker-compose.yml'], p.dir))).toEqual(['build/docker-compose.yml']);
    expect(linted(runCli(['lint', '--format', 'json', 'build'], p.dir))).toEqual(['build/docker-compose.yml']);
  });

  it('a directory whose compose files are all ignored is a usage error saying so', () => {
    const run = runCli(['lint', 'logs'], join(p.dir));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^stackopt: logs: no compose files found .*1 ignored by \.gitignore/);
  });
});

describe('discovery in a linked worktree (a .git file)', () => {
  const compose = `services:\n${svc('a')}`;
  // `git worktree add` leaves `.git` a file naming the worktree's git directory, whose `commondir`
  // leads to the main repository's, where info/exclude is
  const p = project({
    'main.git/HEAD': 'ref: refs/heads/main\n',
    'main.git/info/exclude': 'svc/compose.yml\n',
    'main.git/worktrees/wt/HEAD': 'ref: refs/heads/wt\n',
    'main.git/worktrees/wt/commondir': '../..\n',
    'wt/.git': 'gitdir: ../main.git/worktrees/wt\n',
    'wt/.stackopt.yaml': WARN_ONLY,
    'wt/compose.yaml': compose,
    'wt/svc/compose.yml': compose,
  });

  it('reads info/exclude of the main repository, without a warning', () => {
    const run = runCli(['lint', '--format', 'json'], join(p.dir, 'wt'));
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file)).toEqual(['compose.yaml']);
  });

  it('a FIFO where commondir, info/exclude or a .gitignore would be reads as empty: no hang', () => {
    const q = project({
      'wt/.git': 'gitdir: g\n',
      'wt/g/HEAD': 'ref: refs/heads/main\n',
      'wt/.stackopt.yaml': WARN_ONLY,
      'wt/compose.yaml': compose,
      'wt/sub/compose.yaml': compose,
    });
    for (const f of ['wt/g/commondir', 'wt/g/info/exclude', 'wt/sub/.gitignore']) {
      mkdirSync(dirname(join(q.dir, f)), { recursive: true });
      execFileSync('mkfifo', [join(q.dir, f)]);
    }
    // a blocking read of any of the three would never return (runCli's own limit is minutes)
    const run = runCli(['lint', '--format', 'json'], join(q.dir, 'wt'));
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file)).toEqual(['compose.yaml', 'sub/compose.yaml']);
  });

  it('a gitdir that is not a git directory (no HEAD) is not followed: its info/exclude does not apply', () => {
    const q = project({
      'elsewhere/info/exclude': 'compose.yaml\n',
      'wt/.git': 'gitdir: ../elsewhere\n',
      'wt/.stackopt.yaml': WARN_ONLY,
      'wt/compose.yaml': compose,
    });
    const run = runCli(['lint', '--format', 'json'], join(q.dir, 'wt'));
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file)).toEqual(['compose.yaml']);
  });
});
