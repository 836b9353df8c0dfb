/**
 * Compose projects as docker compose reads a folder: the file names discovery takes, an override
 * file merged onto its base (never linted alone, unless the base is a stack), -f taken exactly as given, paths and -f together,
 * and a file another project includes reported once. The built CLI in temporary folders.
 */
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isComposeFileName } from '../src/cli/discover.js';
import { assertBuilt, jsonFindings, onlyRules, runCli, tempProject, tempProjects } from './helpers/cli.js';

beforeAll(assertBuilt);
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups) c();
});
const project = tempProjects();

const CONFIG = onlyRules({ 'non-root-user': 'warning', 'no-privileged': 'error', 'depends-on': 'error', include: 'error' });
const BASE = 'services:\n  web:\n    image: nginx:1.25\n    user: "101"\n';
/** an override that only publishes a port: alone it would be a service without a user */
const OVERRIDE = 'services:\n  web:\n    ports:\n      - "8080:80"\n';

const results = (stdout: string) => (JSON.parse(stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file);
const placed = (run: ReturnType<typeof runCli>) => jsonFindings(run).map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.column}`);

describe('discovery: the names docker compose and other linters take', () => {
  it('compose.override, compose.*, *.compose and docker-compose.* files; *stack*; never .optimized copies or .stackopt.yaml', () => {
    const yes = ['compose.yaml', 'compose.yml', 'compose.override.yaml', 'compose.prod.yml', 'prod.compose.yaml', 'docker-compose.yml', 'docker-compose.dev.yaml', 'weave-compose.yml', 'compose-dev.yml', 'docker-stack.yml', 'Compose.YAML'];
    const no = ['composer.yml', 'values.yaml', 'compose.json', 'compose.yaml.optimized', '.stackopt.yaml', '.stackopt.yml', 'decompose.yml', 'mycompose.yml'];
    for (const n of yes) expect(isComposeFileName(n), n).toBe(true);
    for (const n of no) expect(isComposeFileName(n), n).toBe(false);
  });

  it('finds them in a folder, each override merged onto its base', () => {
    const p = project({
      '.stackopt.yaml': CONFIG,
      'compose.yaml': BASE,
      'compose.override.yaml': OVERRIDE,
      'compose.prod.yaml': BASE,
      'prod.compose.yml': BASE,
      'legacy/docker-compose.yml': BASE,
      'legacy/docker-compose.override.yml': OVERRIDE,
      'legacy/docker-compose.test.yml': BASE,
      'compose.yaml.optimized': BASE,
      'composer.yml': 'not: compose\n',
    });
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(results(run.stdout)).toEqual(['compose.yaml', 'compose.prod.yaml', 'legacy/docker-compose.yml', 'legacy/docker-compose.test.yml', 'prod.compose.yml']);
  });
});

describe('an override file is linted merged onto its base, never alone', () => {
  it('findings belong to the merged service and point into the file holding the value', () => {
    const p = project({ '.stackopt.yaml': CONFIG, 'compose.yaml': 'services:\n  web:\n    image: nginx:1.25\n', 'compose.override.yaml': 'services:\n  web:\n    user: "101"\n  admin:\n    image: adminer:4\n    privileged: true\n' });
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect(results(run.stdout)).toEqual(['compose.yaml']);
    // web has its user from the override: no non-root-user finding; admin is only in the override
    expect(placed(run)).toEqual(['non-root-user compose.override.yaml:4:3', 'no-privileged compose.override.yaml:6:17']);
    expect(run.status).toBe(1);
  });

  it('an override that only sets ports gets no finding its base answers', () => {
    const p = project({ '.stackopt.yaml': CONFIG, 'docker-compose.yml': BASE, 'docker-compose.override.yml': OVERRIDE });
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect(results(run.stdout)).toEqual(['docker-compose.yml']);
    expect(jsonFindings(run)).toEqual([]);
    // alone (-f takes exactly the files given, as docker compose -f does) it has no user
    const alone = runCli(['lint', '--format', 'json', '-f', 'docker-compose.override.yml'], p.dir);
    expect(placed(alone)).toEqual(['non-root-user docker-compose.override.yml:2:3']);
  });

  it('NAME.override.yml is merged onto NAME.yml; compose.override.yml falls back on docker-compose.yml as docker does', () => {
    const p = project({ '.stackopt.yaml': CONFIG, 'docker-compose.prod.yml': BASE, 'docker-compose.prod.override.yml': OVERRIDE, 'app/docker-compose.yml': BASE, 'app/compose.override.yml': OVERRIDE });
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect(run.stderr).toBe('');
    expect(results(run.stdout)).toEqual(['app/docker-compose.yml', 'docker-compose.prod.yml']);
    expect(jsonFindings(run)).toEqual([]);
  });

  it('docker stack deploy reads no override: a base that is a stack (its name, --target swarm, the configuration\'s target) and its override are each linted alone', () => {
    const p = project({ '.stackopt.yaml': CONFIG, 'stack-elk.yml': BASE, 'stack-elk.override.yml': OVERRIDE, 'app/docker-compose.yml': BASE, 'app/docker-compose.override.yml': OVERRIDE, 'prod/.stackopt.yaml': `${CONFIG}target: swarm\n`, 'prod/compose.yaml': BASE, 'prod/compose.override.yaml': OVERRIDE });
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect(run.stderr).toBe('');
    // app/ is compose: merged; the stack file and prod/ (target swarm) are not
    expect(results(run.stdout)).toEqual(['app/docker-compose.yml', 'prod/compose.override.yaml', 'prod/compose.yaml', 'stack-elk.override.yml', 'stack-elk.yml']);
    expect(placed(run)).toEqual(['non-root-user prod/compose.override.yaml:2:3', 'non-root-user stack-elk.override.yml:2:3']);
    // --target swarm: the same for a compose file and its override named on the command line
    const swarm = runCli(['lint', '--format', 'json', '--target', 'swarm', 'app/docker-compose.yml'], p.dir);
    expect(results(swarm.stdout)).toEqual(['app/docker-compose.yml']);
    expect(jsonFindings(swarm)).toEqual([]);
  });

  it('a file named on the command line takes its partner from beside it (the pre-commit hook names only staged files)', () => {
    const p = project({ '.stackopt.yaml': CONFIG, 'compose.yaml': BASE, 'compose.override.yaml': OVERRIDE });
    for (const arg of ['compose.override.yaml', 'compose.yaml']) {
      const run = runCli(['lint', '--format', 'json', arg], p.dir);
      expect(run.stderr, arg).toBe('');
      expect(results(run.stdout), arg).toEqual(['compose.yaml']);
      expect(jsonFindings(run), arg).toEqual([]);
    }
  });

  it('a file named among other compose files is merged with its partner only (docker-compose.override.yml falls back on compose.yaml); a sibling that links out of the folder is no concern of it', () => {
    const outside = project({ 'creds.yaml': 'services:\n  x:\n    image: x:1\n' });
    const p = project({
      '.stackopt.yaml': CONFIG,
      'compose.yaml': 'services:\n  web:\n    image: nginx:1.25\n',
      'docker-compose.override.yml': 'services:\n  web:\n    user: "101"\n',
      'stack-elk.yml': BASE,
      'prod.compose.yaml': BASE,
    });
    symlinkSync(join(outside.dir, 'creds.yaml'), join(p.dir, 'other-stack.yml'));
    for (const arg of ['compose.yaml', 'docker-compose.override.yml']) {
      const run = runCli(['lint', '--format', 'json', arg], p.dir);
      expect(run.stderr, arg).toBe('');
      expect(run.status, arg).toBe(0);
      expect(results(run.stdout), arg).toEqual(['compose.yaml']);
      expect(jsonFindings(run), arg).toEqual([]);
    }
  });

  it('an override ignored by .gitignore (a developer\'s local one) is not merged into a file named on the command line', () => {
    const p = project({ '.stackopt.yaml': CONFIG, '.gitignore': 'compose.override.yaml\n', 'compose.yaml': 'services:\n  web:\n    image: nginx:1.25\n', 'compose.override.yaml': 'services:\n  web:\n    user: "101"\n' });
    expect(placed(runCli(['lint', '--format', 'json', 'compose.yaml'], p.dir))).toEqual(['non-root-user compose.yaml:2:3']);
    expect(placed(runCli(['lint', '--format', 'json'], p.dir))).toEqual(['non-root-user compose.yaml:2:3']);
  });

  it('an override without its base is linted on its own, with a warning saying so', () => {
    const p = project({ '.stackopt.yaml': CONFIG, 'deploy/compose.override.yml': OVERRIDE });
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect(run.stderr).toBe(
      'stackopt: warning: deploy/compose.override.yml: an override file without its base (compose.yaml or compose.yml) in its folder; it is linted on its own, so findings about what its base sets may not apply\n',
    );
    expect(placed(run)).toEqual(['non-root-user deploy/compose.override.yml:2:3']);
  });

  it('paths and -f combine: the -f files are one project, each path another, a file of the -f project not linted twice', () => {
    const p = project({ '.stackopt.yaml': CONFIG, 'compose.yaml': BASE, 'compose.override.yaml': OVERRIDE, 'compose.prod.yaml': OVERRIDE, 'other/stack.yml': BASE });
    const run = runCli(['lint', '--format', 'json', '-f', 'compose.yaml', '-f', 'compose.prod.yaml', '.'], p.dir);
    expect(run.stderr).toBe('');
    expect(results(run.stdout)).toEqual(['compose.yaml', 'other/stack.yml']);
  });

  it('fix writes each file of the merged project beside it; -o and --stdout say why a path is two files', () => {
    const p = project({ '.stackopt.yaml': CONFIG, 'compose.yaml': BASE, 'compose.override.yaml': OVERRIDE });
    const run = runCli(['fix'], p.dir);
    expect(run.status).toBe(0);
    expect(readFileSync(join(p.dir, 'compose.yaml.optimized'), 'utf8')).toBe(BASE);
    expect(readFileSync(join(p.dir, 'compose.override.yaml.optimized'), 'utf8')).toBe(OVERRIDE);
    const out = runCli(['fix', '--stdout', 'compose.yaml'], p.dir);
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(
      'stackopt: --stdout takes exactly one input file, not 2 (compose.yaml merged with compose.override.yaml, as `docker compose -f compose.yaml -f compose.override.yaml` reads them; -f compose.yaml takes that file alone); without it each file gets <file>.optimized\n',
    );
    const one = runCli(['fix', '--stdout', '-f', 'compose.yaml'], p.dir);
    expect(one.status).toBe(0);
    expect(one.stdout).toBe(BASE);
  });
});

describe('include: a file another project includes', () => {
  const files = {
    '.stackopt.yaml': CONFIG,
    'compose.yaml': 'include:\n  - db/compose.yaml\nservices:\n  web:\n    image: nginx:1.25\n    user: "101"\n    depends_on: [db]\n',
    'db/compose.yaml': 'services:\n  db:\n    image: postgres:16\n    user: "70"\n    privileged: true\n',
  };

  it('is reported once, through the project that includes it; depends_on on its service is no error', () => {
    const p = project(files);
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect(results(run.stdout)).toEqual(['compose.yaml']);
    expect(placed(run)).toEqual(['no-privileged db/compose.yaml:5:17']);
    expect(run.status).toBe(1);
  });

  it('a missing include is one error at its line', () => {
    const p = project(Object.fromEntries(Object.entries(files).filter(([k]) => k !== 'db/compose.yaml')));
    const run = runCli(['lint', '--format', 'compact'], p.dir);
    expect(run.stdout.split('\n').filter((l) => l.includes('[include]'))).toEqual(['compose.yaml:2:5: error include "db/compose.yaml" cannot be read: no such file [include]']);
    expect(run.status).toBe(1);
  });

  it('fix does not write into the included file', () => {
    const p = project(files);
    const run = runCli(['fix', '--unsafe', 'compose.yaml'], p.dir);
    expect(run.status).toBe(0);
    expect(existsSync(join(p.dir, 'compose.yaml.optimized'))).toBe(true);
    expect(existsSync(join(p.dir, 'db/compose.yaml.optimized'))).toBe(false);
    expect(readFileSync(join(p.dir, 'db/compose.yaml'), 'utf8')).toBe(files['db/compose.yaml']);
  });
});

describe('the variables of several projects in one run', () => {
  it("a project's .env is its own: the projects without one beside it see the environment only, whatever the order", () => {
    const IMAGE = 'services:\n  web:\n    image: "nginx:${TAG}"\n    user: "101"\n';
    const p = project({
      '.stackopt.yaml': onlyRules({ interpolation: 'warning' }),
      'a/compose.yaml': IMAGE,
      'b/compose.yaml': IMAGE,
      'b/.env': 'TAG=1.25\n',
      'c/compose.yaml': IMAGE,
    });
    const unset = (run: ReturnType<typeof runCli>) => jsonFindings(run).filter((f) => f.ruleId === 'interpolation').map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`);
    const run = runCli(['lint', '--format', 'json', '.'], p.dir);
    expect(unset(run)).toEqual(['a/compose.yaml:3:19 variable TAG is not set; it becomes an empty string', 'c/compose.yaml:3:19 variable TAG is not set; it becomes an empty string']);
    // the environment reaches every project; b's .env does not win over it, as in compose
    expect(unset(runCli(['lint', '--format', 'json', '.'], p.dir, { TAG: '1.27' }))).toEqual([]);
  });
});
