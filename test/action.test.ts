import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkingTree, repositoryRoot, runProcess } from './helpers/worktree.js';
// @ts-expect-error: a plain JavaScript module of the action
import { cell, summaryMarkdown } from '../scripts/action-summary.mjs';

/**
 * The GitHub Action (action.yml), run here as a runner runs a composite action: each `run` step in
 * order with bash, its `env` and `if` evaluated from the inputs and the earlier steps' outputs
 * ($GITHUB_OUTPUT), a $GITHUB_STEP_SUMMARY file, the action in a copy of this working tree and a
 * workspace with compose files. The `uses` step (the SARIF upload) is GitHub's own and is skipped.
 */
interface Step {
  name: string;
  id?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}
const action = parse(readFileSync(join(repositoryRoot, 'action.yml'), 'utf8')) as Action;

const work = mkdtempSync(join(tmpdir(), 'stackopt-action-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Context {
  actionPath: string;
  inputs: Record<string, string>;
  outputs: Record<string, Record<string, string>>;
}

/** `${{ … }}` as the runner evaluates the few expressions action.yml uses. */
function evaluate(expr: string, c: Context): unknown {
  const js = expr
    .replace(/always\(\)/g, 'true')
    .replace(/github\.action_path/g, () => JSON.stringify(c.actionPath))
    .replace(/inputs\.([a-z-]+)/g, (_, k: string) => JSON.stringify(c.inputs[k] ?? ''))
    .replace(/steps\.([a-z-]+)\.outputs\.([a-z-]+)/g, (_, s: string, k: string) => JSON.stringify(c.outputs[s]?.[k] ?? ''))
    .replace(/([^=!])==([^=])/g, '$1===$2')
    .replace(/!=([^=])/g, '!==$1');
  if (!/^[\s"'\w./:=!&|()+-]*$/.test(js)) throw new Error(`unexpected expression ${expr}`);
  return new Function(`return (${js});`)() as unknown;
}
const interpolate = (text: string, c: Context) => text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => String(evaluate(e, c)));

interface StepRun {
  name: string;
  status: number | null;
  out: string;
  skipped?: boolean;
}

/** Run the action's steps; `only` limits them to the named ones (the build is done once). */
async function runAction(c: Context, workspace: string, summaryFile: string, only?: string[]): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  for (const step of action.runs.steps) {
    if (only && !only.includes(step.name)) continue;
    const cond = step.if ? evaluate(step.if.replace(/^\$\{\{(.*)\}\}$/s, '$1'), c) : !runs.some((r) => r.status !== 0 && !r.skipped);
    if (!cond || step.uses) {
      runs.push({ name: step.name, status: 0, out: '', skipped: true });
      continue;
    }
    const outputFile = join(work, `output-${runs.length}-${Date.now()}`);
    writeFileSync(outputFile, '');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      GITHUB_ACTION_PATH: c.actionPath,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      npm_config_prefer_offline: 'true',
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = interpolate(v, c);
    const cwd = step['working-directory'] ? interpolate(step['working-directory'], c) : workspace;
    const script = join(work, `step-${runs.length}.sh`);
    writeFileSync(script, step.run!);
    const r = await runProcess('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], cwd, env, 20 * 60_000);
    const outputs: Record<string, string> = {};
    for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (step.id) c.outputs[step.id] = outputs;
    runs.push({ name: step.name, status: r.status, out: r.out });
  }
  return runs;
}

const defaults = () => Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
const BAD = 'services:\n  web:\n    image: nginx:1.27\n    privileged: true # stackopt-disable-line no-privileged -- lab host\n';

describe('action.yml', () => {
  it('sets up no Node.js of its own and installs no development dependencies', () => {
    const text = readFileSync(join(repositoryRoot, 'action.yml'), 'utf8');
    expect(action.runs.using).toBe('composite');
    expect(action.runs.steps.filter((s) => s.uses).map((s) => s.uses)).toEqual(['github/codeql-action/upload-sarif@v3']);
    expect(text).not.toMatch(/setup-node@|node-version/);
    for (const s of action.runs.steps) expect(s.run ?? '', s.name).not.toMatch(/npm (ci|install)\b/);
  });
});

describe('the action, run as a runner runs it', () => {
  const actionPath = join(work, 'action');
  const workspace = join(work, 'workspace');
  let build: StepRun[] = [];
  beforeAll(async () => {
    mkdirSync(actionPath);
    copyWorkingTree(actionPath);
    mkdirSync(join(workspace, 'deploy'), { recursive: true });
    writeFileSync(join(workspace, 'compose.yaml'), BAD);
    writeFileSync(join(workspace, 'deploy', 'app-stack.yml'), 'services:\n  api:\n    image: "ghcr.io/acme/api:1.0 | <b>"\n');
    build = await runAction({ actionPath, inputs: defaults(), outputs: {} }, workspace, join(work, 'unused-summary.md'), ['Check Node.js', 'Build stackopt']);
  }, 30 * 60_000); // an npm install and a build: minutes on a busy machine; the limit only ends a hang

  it('builds with the runner\'s node and only the build\'s packages (no test tools, a fraction of the development install)', () => {
    for (const r of build) expect(r.status, `${r.name}: ${r.out}`).toBe(0);
    const nm = join(actionPath, 'node_modules');
    for (const dev of ['typescript', 'vitest', '@microsoft', 'fast-check', '@types']) expect(existsSync(join(nm, dev)), dev).toBe(false);
    for (const pkg of ['esbuild', 'ajv', 'yaml']) expect(existsSync(join(nm, pkg)), pkg).toBe(true);
    const du = spawnSync('du', ['-sk', nm], { encoding: 'utf8' });
    const kib = Number(du.stdout.split('\t')[0]);
    console.log(`[action] node_modules of the build: ${(kib / 1024).toFixed(1)} MiB`);
    expect(kib).toBeLessThan(40 * 1024);
    expect(existsSync(join(actionPath, 'dist/bundle/stackopt.cjs'))).toBe(true);
  });

  it('lints, annotates, writes SARIF and a job summary, and fails the job on error findings', async () => {
    const summary = join(work, 'summary-1.md');
    const c: Context = { actionPath, inputs: defaults(), outputs: {} };
    const runs = await runAction(c, workspace, summary, ['Lint', 'Upload SARIF to code scanning', 'Job summary', 'Fail on findings']);
    const byName = Object.fromEntries(runs.map((r) => [r.name, r]));
    expect(byName.Lint!.status, byName.Lint!.out).toBe(0);
    expect(c.outputs.lint).toEqual({ 'exit-code': '1' });
    expect(byName.Lint!.out).toMatch(/^::error file=compose\.yaml,line=2,endLine=2,col=3,endColumn=6,title=resource-limits::/m);
    expect(byName['Upload SARIF to code scanning']!.skipped).toBe(true); // GitHub's own action
    const sarif = JSON.parse(readFileSync(join(workspace, 'stackopt.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string; suppressions?: unknown[] }> }> };
    expect(sarif.runs[0]!.results.some((r) => r.ruleId === 'no-privileged' && r.suppressions)).toBe(true);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^## stackopt\n\n❌ \d+ errors?, \d+ warnings?, \d+ infos? in 2 files\.\n/);
    expect(md).toContain('1 finding suppressed (inline directives or the baseline) is not counted.');
    expect(md).toContain('| severity | rule | where | message |');
    expect(md).toMatch(/\| error \| \[resource-limits\]\(https:\/\/github\.com\/stackopt\/stackopt\/blob\/main\/rules\/resource-limits\/README\.md\) \| compose\.yaml:2:3 \| service "web" sets no CPU or memory limit/);
    // a value with a table separator and markup stays in its cell
    expect(md).not.toContain('<b>');
    expect(byName['Fail on findings']!.status).toBe(1);
  });

  it('with fail: false the job passes on findings; a configuration error fails it and the summary says so', async () => {
    const c: Context = { actionPath, inputs: { ...defaults(), fail: 'false' }, outputs: {} };
    const runs = await runAction(c, workspace, join(work, 'summary-2.md'), ['Lint', 'Job summary', 'Fail on findings']);
    expect(runs.map((r) => [r.name, r.status])).toEqual([['Lint', 0], ['Job summary', 0], ['Fail on findings', 0]]);

    writeFileSync(join(workspace, 'bad.stackopt.yaml'), 'rules:\n  no-such-rule: off\n');
    const summary = join(work, 'summary-3.md');
    const bad: Context = { actionPath, inputs: { ...defaults(), args: '--config bad.stackopt.yaml' }, outputs: {} };
    const failed = await runAction(bad, workspace, summary, ['Lint', 'Job summary', 'Fail on findings']);
    expect(bad.outputs.lint).toEqual({ 'exit-code': '2' });
    expect(failed.map((r) => [r.name, r.status])).toEqual([['Lint', 0], ['Job summary', 0], ['Fail on findings', 2]]);
    expect(readFileSync(summary, 'utf8')).toContain('stackopt could not lint (exit code 2: a usage or configuration error, or unreadable input)');
  });

  it('passes the user\'s --env-file to stackopt, not to node (Node 20 takes one before the script for itself)', async () => {
    const c: Context = { actionPath, inputs: { ...defaults(), args: '--env-file nope.env' }, outputs: {} };
    const runs = await runAction(c, workspace, join(work, 'summary-4.md'), ['Lint']);
    expect(c.outputs.lint).toEqual({ 'exit-code': '2' });
    expect(runs[0]!.out).toContain('stackopt: nope.env: cannot read env file: no such file');
    expect(runs[0]!.out).not.toMatch(/^node: /m);
  });
});

describe('job summary', () => {
  it('escapes cells: no line break, column separator or markup survives', () => {
    expect(cell('a | b\nc <script>&`x`')).toBe('a \\| b c &lt;script&gt;&amp;\\`x\\`');
  });

  it('lists at most 50 findings and says how many more', () => {
    const results = Array.from({ length: 60 }, (_, i) => ({ ruleId: 'r', ruleIndex: 0, level: 'warning', message: { text: `m${i}` }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a%20b.yaml' }, region: { startLine: i + 1, startColumn: 1 } } }] }));
    const md = summaryMarkdown({ runs: [{ tool: { driver: { rules: [{ id: 'r' }] } }, results }] }, 0) as string;
    expect(md).toContain('✅ 0 errors, 60 warnings, 0 infos in 1 file.');
    expect(md.split('\n').filter((l) => l.startsWith('| warning | r | a b.yaml:')).length).toBe(50);
    expect(md).toContain('…and 10 more: see the annotations or code scanning.');
    expect(summaryMarkdown({ runs: [{ results: [] }] }, 0)).toContain('✅ No findings.');
  });
});
