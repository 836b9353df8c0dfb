import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isComposeFileName } from '../src/cli/discover.js';
import { assertBuilt, onlyRules, repoRoot, runAsync, tempProject } from './helpers/cli.js';

/**
 * The ready-made CI integrations: action.yml's lint step run as GitHub would run it (bash, inputs
 * in the environment, $GITHUB_OUTPUT), and the pre-commit hook's file pattern.
 */
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));
beforeAll(assertBuilt);

interface Step {
  id?: string;
  name: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  if?: string;
  with?: Record<string, string>;
}
const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; steps: Step[] };
};

/** Run a composite step's bash script with its `${{ … }}` env values resolved from inputs and outputs. */
async function runStep(step: Step, inputs: Record<string, string>, cwd: string, outputs: Record<string, string> = {}) {
  const p = tempProject({});
  cleanups.push(p.cleanup);
  const outFile = join(p.dir, 'github_output');
  const resolve = (v: string) =>
    v
      .replace(/\$\{\{\s*github\.action_path\s*\}\}/g, repoRoot)
      .replace(/\$\{\{\s*inputs\.([a-z-]+)\s*\}\}/g, (_, k: string) => inputs[k] ?? action.inputs[k]?.default ?? '')
      .replace(/\$\{\{\s*steps\.lint\.outputs\.([a-z-]+)\s*\}\}/g, (_, k: string) => outputs[k] ?? '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NO_COLOR: '1', GITHUB_OUTPUT: outFile };
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = resolve(String(v));
  const r = await runAsync('bash', ['-e', '-c', step.run!], { cwd, env });
  let written = '';
  try {
    written = readFileSync(outFile, 'utf8');
  } catch {
    /* no outputs */
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs: Object.fromEntries(written.trim().split('\n').filter(Boolean).map((l) => l.split('=') as [string, string])) };
}

describe('action.yml', () => {
  it('is a composite action that builds, lints, uploads SARIF and fails on findings', () => {
    expect(action.runs.using).toBe('composite');
    const uses = action.runs.steps.map((s) => s.uses ?? s.name);
    expect(uses).toEqual(['Check Node.js', 'Build stackopt', 'Lint', 'github/codeql-action/upload-sarif@v3', 'Job summary', 'Fail on findings']);
    expect(action.outputs['exit-code']).toBeDefined();
  });

  const lintStep = action.runs.steps.find((s) => s.id === 'lint')!;
  const failStep = action.runs.steps.find((s) => s.name === 'Fail on findings')!;

  it('its lint step writes SARIF, prints annotations and reports the exit code', async () => {
    const p = tempProject({
      '.stackopt.yaml': onlyRules({ 'healthcheck-required': 'warning', 'no-privileged': 'error' }),
      'deploy/compose.yaml': 'services:\n  a:\n    image: myorg/app:12\n    privileged: true\n',
      'README.md': 'not linted',
    });
    cleanups.push(p.cleanup);
    const r = await runStep(lintStep, { path: 'deploy', args: '--max-warnings 5' }, p.dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.stdout).toMatch(/^::error file=deploy\/compose\.yaml,line=4,.*title=no-privileged::/m);
    expect(r.stdout).toMatch(/^::warning file=deploy\/compose\.yaml,line=2,.*title=healthcheck-required::/m);
    const sarif = JSON.parse(readFileSync(join(p.dir, 'stackopt.sarif'), 'utf8')) as { runs: Array<{ results: unknown[] }> };
    expect(sarif.runs[0]!.results).toHaveLength(2);
    // the last step fails the job on exit 1 unless `fail: false`
    expect((await runStep(failStep, {}, p.dir, { 'exit-code': '1' })).status).toBe(1);
    expect((await runStep(failStep, { fail: 'false' }, p.dir, { 'exit-code': '1' })).status).toBe(0);
    expect((await runStep(failStep, { fail: 'false' }, p.dir, { 'exit-code': '2' })).status).toBe(2);
    expect((await runStep(failStep, {}, p.dir, { 'exit-code': '0' })).status).toBe(0);
  });

  it('a path with shell characters is not run as a command', async () => {
    const p = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: myorg/app:12\n' });
    cleanups.push(p.cleanup);
    const r = await runStep(lintStep, { path: '$(touch pwned) compose.yaml', annotations: 'false' }, p.dir);
    expect(r.outputs['exit-code']).toBe('2'); // "$(touch" is a file that does not exist
    expect(spawnSync('test', ['-e', join(p.dir, 'pwned')]).status).toBe(1);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8')) as Array<{ id: string; entry: string; language: string; files: string; exclude: string }>;
  const hook = hooks.find((h) => h.id === 'stackopt')!;
  it('runs stackopt lint as a node hook', () => {
    expect(hook).toMatchObject({ entry: 'stackopt lint', language: 'node' });
  });
  it('selects the files discovery selects', () => {
    // pre-commit reads the patterns as Python regular expressions: `(?i)` at the start is the i flag
    const py = (p: string) => (p.startsWith('(?i)') ? new RegExp(p.slice(4), 'i') : new RegExp(p));
    const files = py(hook.files);
    const exclude = py(hook.exclude);
    const names = [
      'compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.prod.yaml', 'docker-stack.yml', 'stack.yaml', 'prod-stack.yml', 'compose.override.yml',
      'prod.compose.yaml', 'weave-compose.yml', 'compose.ci.yml', 'docker-compose-dev.yaml', '-weird.compose.yaml', 'Compose.YAML', 'Docker-Compose.yml', 'Prod-Stack.yml',
      'composer.yml', 'mycompose.yaml', 'compose.yaml.bak', '.stackopt.yaml', '.stackopt.yml', 'values.yaml', 'compose.json', 'README.md',
    ];
    expect(names.filter(isComposeFileName)).toHaveLength(16);
    for (const n of names) {
      for (const path of [n, `deploy/${n}`]) expect(files.test(path) && !exclude.test(path), path).toBe(isComposeFileName(n));
    }
  });
});
