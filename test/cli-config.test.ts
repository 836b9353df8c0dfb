import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRules } from '../src/engine/registry.js';
import { assertBuilt, jsonFindings, onlyRules, repoRoot, runCli, tempProject, tempProjects } from './helpers/cli.js';

/** `.stackopt.yaml` end to end: discovery, --config, severities, options, shorthands, ignore, errors. */
beforeAll(assertBuilt);

const project = tempProjects();

const COMPOSE = `services:
  web:
    image: nginx:1.27
  db:
    image: postgres:16
`;
const rulesOf = (run: ReturnType<typeof runCli>) => jsonFindings(run).map((f) => `${f.ruleId}:${f.severity}:${f.service}`);

describe('configuration (CLI)', () => {
  it('is found in the working directory or the nearest folder above it', () => {
    const p = project({ '.stackopt.yaml': onlyRules({ 'healthcheck-required': 'error' }), 'deploy/compose.yaml': COMPOSE });
    const fromRoot = runCli(['lint', '--format', 'json', 'deploy/compose.yaml'], p.dir);
    const fromSub = runCli(['lint', '--format', 'json', 'compose.yaml'], join(p.dir, 'deploy'));
    for (const run of [fromRoot, fromSub]) {
      expect(rulesOf(run)).toEqual(['healthcheck-required:error:web', 'healthcheck-required:error:db']);
      expect(run.status).toBe(1);
    }
  });

  it('--config F replaces the nearest one; .stackopt.yml is read too', () => {
    const p = project({
      '.stackopt.yml': onlyRules({ 'healthcheck-required': 'warning' }),
      'ci/strict.yaml': onlyRules({ 'non-root-user': 'error' }),
      'compose.yaml': COMPOSE,
    });
    expect(rulesOf(runCli(['lint', '--format', 'json'], p.dir))).toEqual(['healthcheck-required:warning:web', 'healthcheck-required:warning:db']);
    const strict = runCli(['lint', '--format', 'json', '--config', 'ci/strict.yaml'], p.dir);
    expect(rulesOf(strict)).toEqual(['non-root-user:error:web', 'non-root-user:error:db']);
    expect(strict.status).toBe(1);
  });

  it('rule options and the critical / sizing shorthands reach the rules', () => {
    const p = project({
      '.stackopt.yaml': onlyRules(
        { 'critical-single-replica': 'error', 'resource-limits': 'error' },
        'critical:\n  patterns: ["name:pay*"]\n  ignore: [postgres]\nsizing:\n  preset: small\n  classes:\n    backend: {cpus: 0.75, memory: 768M}\n',
      ),
      'compose.yaml': `${COMPOSE}  payments:\n    image: registry.example.com/payments:1.0\n`,
    });
    const run = runCli(['lint', '--format', 'json'], p.dir);
    const critical = jsonFindings(run).filter((f) => f.ruleId === 'critical-single-replica');
    // payments is critical by the configured pattern; postgres is ignored although the default list has it
    expect(critical.map((f) => f.service)).toEqual(['web', 'payments']);
    expect(critical[1]!.message).toContain('name matches "pay*"');
    const sarif = JSON.parse(runCli(['lint', '--format', 'sarif'], p.dir).stdout) as { runs: Array<{ results: Array<{ ruleId: string; fixes?: Array<{ description: { text: string } }> }> }> };
    const fix = sarif.runs[0]!.results.find((r) => r.ruleId === 'resource-limits' && r.fixes)?.fixes?.[0]?.description.text ?? '';
    expect(fix).toMatch(/preset small/);
  });

  it('replaceDefaults: true uses only the configured patterns', () => {
    const p = project({
      '.stackopt.yaml': onlyRules({ 'critical-single-replica': 'error' }, 'critical:\n  patterns: ["name:web"]\n  replaceDefaults: true\n'),
      'compose.yaml': COMPOSE,
    });
    expect(rulesOf(runCli(['lint', '--format', 'json'], p.dir))).toEqual(['critical-single-replica:error:web']);
  });

  it('ignore patterns drop discovered and explicit files', () => {
    const p = project({
      '.stackopt.yaml': onlyRules({ 'healthcheck-required': 'warning' }, 'ignore:\n  - legacy/\n  - "**/*.generated.yml"\n'),
      'compose.yaml': COMPOSE,
      'legacy/compose.yaml': COMPOSE,
      'app/docker-compose.generated.yml': COMPOSE,
      'app/docker-compose.yml': COMPOSE,
    });
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect((JSON.parse(run.stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file)).toEqual(['app/docker-compose.yml', 'compose.yaml']);
    const explicit = runCli(['lint', '--format', 'json', 'legacy/compose.yaml', 'compose.yaml'], p.dir);
    expect((JSON.parse(explicit.stdout) as { results: Array<{ file: string }> }).results.map((r) => r.file)).toEqual(['compose.yaml']);
    expect(explicit.stderr).toBe('stackopt: legacy/compose.yaml is not linted: the ignore patterns of .stackopt.yaml match it\n');
  });

  it('target accepts compose, swarm and auto', () => {
    for (const t of ['compose', 'swarm', 'auto']) {
      const p = project({ '.stackopt.yaml': `target: ${t}\n${onlyRules({ 'healthcheck-required': 'warning' })}`, 'compose.yaml': COMPOSE });
      const run = runCli(['lint', '--format', 'json'], p.dir);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
  });

  const bad: Array<[string, string, RegExp]> = [
    ['an unknown rule, with a suggestion', 'rules:\n  healthcheck-requird: off\n', /^stackopt: invalid configuration: \.stackopt\.yaml:2:3: unknown key "healthcheck-requird" in rules; did you mean "healthcheck-required"\?\n$/],
    ['a bad severity', 'rules:\n  non-root-user: fatal\n', /^stackopt: invalid configuration: \.stackopt\.yaml:2:18: rules\.non-root-user must be one of "off", "info", "warning", "error", not the string "fatal"\n$/],
    ['an unknown option', 'rules:\n  resource-limits:\n    options: {presett: small}\n', /^stackopt: invalid configuration: \.stackopt\.yaml:3:15: unknown key "presett" in rules\.resource-limits\.options; did you mean "preset"\?\n$/],
    ['a bad target', 'target: kubernetes\n', /^stackopt: invalid configuration: \.stackopt\.yaml:1:9: target must be one of "auto", "compose", "swarm", not the string "kubernetes"\n$/],
    ['an unknown top-level key', 'rule:\n  non-root-user: off\n', /^stackopt: invalid configuration: \.stackopt\.yaml:1:1: unknown key "rule" in the document; did you mean "rules"\?\n$/],
    ['a size that does not parse', 'sizing:\n  classes:\n    database: {memory: lots}\n', /^stackopt: invalid configuration: \.stackopt\.yaml:3:24: sizing\.classes\.database\.memory: "lots" is not a size such as 512M or 2G\n$/],
    ['invalid YAML', 'rules: [\n', /^stackopt: invalid configuration: \.stackopt\.yaml:\d+:\d+: Flow sequence .+\n$/],
    ['a list instead of a mapping', '- rules\n', /^stackopt: invalid configuration: \.stackopt\.yaml:1:1: the configuration must be a mapping/],
    ['a duplicate key', 'target: swarm\ntarget: compose\n', /^stackopt: invalid configuration: \.stackopt\.yaml:2:1: duplicate key "target"/],
  ];
  for (const [what, text, message] of bad) {
    it(`${what} is one error with file:line:col and exit 2`, () => {
      const p = project({ '.stackopt.yaml': text, 'compose.yaml': COMPOSE });
      const run = runCli(['lint'], p.dir);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
      expect(run.status).toBe(2);
    });
  }

  it('a missing --config file is exit 2', () => {
    const p = project({ 'compose.yaml': COMPOSE });
    const run = runCli(['lint', '--config', 'nope.yaml'], p.dir);
    expect(run.stderr).toBe('stackopt: nope.yaml: cannot read file: no such file\n');
    expect(run.status).toBe(2);
  });

  it('a .stackopt.yaml that is a FIFO or a folder is an error, not skipped for the one further up', () => {
    for (const make of ['fifo', 'folder'] as const) {
      // the configuration above would turn every rule off: the folder's own must not fall back to it
      const p = project({ '.stackopt.yaml': 'rules: {}\nfailOn: none\n', 'sub/compose.yaml': COMPOSE });
      if (make === 'fifo') execFileSync('mkfifo', [join(p.dir, 'sub/.stackopt.yaml')]);
      else mkdirSync(join(p.dir, 'sub/.stackopt.yaml'));
      const kind = make === 'fifo' ? 'a FIFO' : 'a directory';
      const line = `stackopt: sub/.stackopt.yaml: it is ${kind}, not a file; a configuration found in a folder is read only from a regular file\n`;
      // a FIFO is looked at, never opened: nothing waits for a writer (the runner's own limit is minutes)
      const run = runCli(['lint', 'sub'], p.dir);
      expect([run.status, run.stderr, run.stdout]).toEqual([2, line, '']);
      const fix = runCli(['fix', '--stdout', 'sub/compose.yaml'], p.dir);
      expect([fix.status, fix.stderr.split('\n')[0]]).toEqual([2, line.trimEnd()]);
    }
    // named with -c, a FIFO is read as it is (empty: no writer), and a folder cannot be read
    const p = project({ 'compose.yaml': COMPOSE });
    execFileSync('mkfifo', [join(p.dir, 'conf')]);
    mkdirSync(join(p.dir, 'dir'));
    expect(runCli(['lint', '-c', 'conf', '--format', 'json'], p.dir).stderr).toBe('');
    expect(runCli(['lint', '-c', 'dir'], p.dir)).toMatchObject({ status: 2, stderr: 'stackopt: dir: cannot read file: is a directory\n' });
  });

  it('a .stackopt.yaml that is a link to a missing file is an error, not skipped for the one further up', () => {
    // the configuration above would turn every rule off: the folder's own must not fall back to it
    const p = project({ '.stackopt.yaml': 'rules: {}\nfailOn: none\n', 'sub/compose.yaml': COMPOSE });
    symlinkSync('gone.yaml', join(p.dir, 'sub/.stackopt.yaml'));
    const line = 'stackopt: sub/.stackopt.yaml: it is a link to a missing file; a configuration found in a folder is read only from a regular file\n';
    const run = runCli(['lint', 'sub'], p.dir);
    expect([run.status, run.stderr, run.stdout]).toEqual([2, line, '']);
    const fix = runCli(['fix', '--stdout', 'sub/compose.yaml'], p.dir);
    expect([fix.status, fix.stderr.split('\n')[0]]).toEqual([2, line.trimEnd()]);
    // the second name too, when the first is not there
    rmSync(join(p.dir, 'sub/.stackopt.yaml'));
    symlinkSync(join(p.dir, 'nowhere', 'conf.yml'), join(p.dir, 'sub/.stackopt.yml'));
    expect(runCli(['lint', 'sub'], p.dir)).toMatchObject({ status: 2, stdout: '', stderr: line.replace('.stackopt.yaml', '.stackopt.yml') });
  });

  it('a .stackopt.yaml that is a loop of links is one line, not an internal error', () => {
    const p = project({ 'compose.yaml': COMPOSE });
    symlinkSync('.stackopt.yaml', join(p.dir, '.stackopt.yaml'));
    const run = runCli(['lint'], p.dir);
    expect([run.status, run.stderr, run.stdout]).toEqual([2, 'stackopt: .stackopt.yaml: a loop of symbolic links\n', '']);
  });

  it('an empty configuration (or only comments) is valid', () => {
    const p = project({ '.stackopt.yaml': '# nothing configured yet\n', 'compose.yaml': 'services:\n  a:\n    image: busybox:1.36\n' });
    const run = runCli(['lint', '--format', 'json'], p.dir);
    expect(run.stderr).toBe('');
    expect(jsonFindings(run).length).toBeGreaterThan(0);
  });
});

describe('schemas/config.schema.json', () => {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/config.schema.json'), 'utf8')) as {
    properties: { rules: { properties: Record<string, unknown> } };
  };
  it('has an entry for every rule of the catalogue (npm run build regenerates it)', () => {
    expect(Object.keys(schema.properties.rules.properties)).toEqual(allRules.map((r) => r.meta.id));
  });
});
