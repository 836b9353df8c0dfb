import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * CLI-level tests: the built CLI (`node bin/stackopt.js`, as a user runs it after `npm run build`)
 * in a temporary folder holding real files.
 */
export const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'stackopt.js');

export function assertBuilt(): void {
  if (!existsSync(join(repoRoot, 'dist', 'bundle', 'stackopt.cjs'))) throw new Error('the CLI is not built: run `npm run build` first (npm test does)');
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** a clean environment: no colours, no CI variables that could change the output */
const cliEnv = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env });

export function runCli(args: string[], cwd: string, env: Record<string, string> = {}, input?: string | Buffer): CliRun {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 300_000, env: cliEnv(env), ...(input === undefined ? {} : { input }) });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * runCli without blocking the test worker while the CLI runs. A test whose runs block it for a
 * minute (a few seconds each on a busy machine) fails the suite although every check passed: the
 * worker then misses vitest's fixed 60 s for the answers to its own messages.
 */
export function runCliAsync(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  return runAsync(process.execPath, [bin, ...args], { cwd, env: cliEnv(env) });
}

/** A process run without blocking the test worker: its exit status, stdout and stderr. */
export function runAsync(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ status: code, stdout, stderr });
    });
  });
}

/** A temporary folder with files (name → text); removed by `cleanup`. */
export function tempProject(files: Record<string, string>): { dir: string; write: (name: string, text: string) => void; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-cli-'));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  };
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `tempProject` for a test file: the folders it makes are removed after the file's tests. */
export function tempProjects(): typeof tempProject {
  const made: Array<() => void> = [];
  afterAll(() => made.forEach((c) => c()));
  return (files) => {
    const p = tempProject(files);
    made.push(p.cleanup);
    return p;
  };
}

/**
 * A `.stackopt.yaml` `rules:` block that turns every rule off except the given ones, so that a
 * test's exit codes and counts do not change when rules are added to the catalogue.
 */
export function onlyRules(keep: Record<string, string>, extra = ''): string {
  const lines = ['rules:'];
  for (const id of builtRuleIds()) lines.push(`  ${id}: ${keep[id] ?? 'off'}`);
  return `${lines.join('\n')}\n${extra}`;
}

/** The rule ids of the built CLI: the config schema is generated with the bundle (npm run build). */
function builtRuleIds(): string[] {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'config.schema.json'), 'utf8')) as { properties: { rules: { properties: object } } };
  return Object.keys(schema.properties.rules.properties);
}

export interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  file: string;
  service: string | null;
  path: string;
  line: number;
  column: number;
}

/** The findings of a `--format json` run. */
export function jsonFindings(run: CliRun): JsonFinding[] {
  const report = JSON.parse(run.stdout) as { results: Array<{ findings: JsonFinding[] }> };
  return report.results.flatMap((r) => r.findings);
}
