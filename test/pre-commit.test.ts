import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { copyWorkingTree, runProcess } from './helpers/worktree.js';

/**
 * The pre-commit hook as a user gets it: Debian's `pre-commit` (3.0.4) installs it from a git
 * repository holding this working tree (npm install, whose `prepare` builds it, `npm pack`, which
 * must print nothing but the tarball's name, then a global install of the tarball), and
 * `pre-commit run --all-files` in a user's repository lints the compose and stack files it names
 * (a file named like an option too, since the hook passes `--`), and fails with exit 1.
 *
 * Without pre-commit on PATH the test is skipped with a message; with CI=true it fails instead.
 */
const root = join(import.meta.dirname, '..');
const hooks = parse(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as Array<{ id: string; entry: string; args?: string[]; files: string; exclude: string; language: string }>;
const hook = hooks.find((h) => h.id === 'stackopt')!;

function preCommitVersion(): string | null {
  const r = spawnSync('pre-commit', ['--version'], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}
const version = preCommitVersion();
const missing = version === null ? 'pre-commit is not installed (Debian: apt-get install pre-commit)' : null;
if (missing && process.env.CI !== 'true') console.warn(`[skip] pre-commit hook: ${missing}; the test runs where it is installed (it is required with CI=true)`);

const work = mkdtempSync(join(tmpdir(), 'stackopt-pre-commit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=stackopt test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('pre-commit hook definition', () => {
  it('passes `--` before the file names and runs lint', () => {
    expect(hook.entry).toBe('stackopt lint');
    expect(hook.args).toEqual(['--']);
    expect(hook.language).toBe('node');
  });
});

describe.skipIf(missing !== null && process.env.CI !== 'true')('pre-commit hook under pre-commit', () => {
  it(`installs from a git repository and reports findings with exit 1 (${version ?? 'pre-commit missing'})`, async () => {
    if (missing) throw new Error(`CI=true but ${missing}`);
    // the hook repository: this working tree (tracked and new files) committed in a fresh repository
    const hookRepo = join(work, 'hook');
    mkdirSync(hookRepo);
    copyWorkingTree(hookRepo);
    git(hookRepo, ['init', '-q']);
    git(hookRepo, ['add', '-A']);
    git(hookRepo, ['commit', '-q', '-m', 'snapshot']);
    const rev = git(hookRepo, ['rev-parse', 'HEAD']).trim();

    // the user's repository
    const user = join(work, 'user');
    const bad = 'services:\n  web:\n    image: nginx:1.27\n';
    const files: Record<string, string> = {
      'compose.yaml': bad,
      '-weird.compose.yaml': bad,
      'deploy/app-stack.yml': bad,
      'notes.yaml': bad, // not a compose file name: not passed
      '.stackopt.yaml': 'rules:\n  update-config: off\n', // the configuration: read, not linted
      '.pre-commit-config.yaml': `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: stackopt\n`,
    };
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(user, f)), { recursive: true });
      writeFileSync(join(user, f), text);
    }
    git(user, ['init', '-q']);
    git(user, ['add', '-A']);

    const env = { ...process.env, PRE_COMMIT_HOME: join(work, 'cache'), npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', NO_COLOR: '1' };
    const run = await runProcess('pre-commit', ['run', '--all-files', '--color', 'never'], user, env, 20 * 60_000);
    const out = run.out;
    expect(out, out).toMatch(/stackopt lint\.+Failed/);
    expect(out).toContain('- exit code: 1');
    expect(run.status, out).toBe(1);
    // each compose file was linted (the one named like an option too); the others were not
    const headers = out.split('\n').filter((l) => /^\S+\.ya?ml$/.test(l));
    expect(headers.sort()).toEqual(['-weird.compose.yaml', 'compose.yaml', 'deploy/app-stack.yml']);
    expect(out).toMatch(/2:3 +error +service "web" sets no CPU or memory limit; add deploy\.resources\.limits\.cpus and \.memory +resource-limits/);
    // the configuration applied: update-config is off
    expect(out).not.toContain('update-config');
    expect(out).not.toMatch(/usage|unknown option/i);

    // a second run reuses the installed environment and says the same
    const again = await runProcess('pre-commit', ['run', '--all-files', '--color', 'never'], user, env, 10 * 60_000);
    expect(again.status, again.out).toBe(1);
    expect(again.out).not.toContain('Installing environment');
  }, 30 * 60_000); // npm installs and builds the hook: minutes on a busy machine; the limit only ends a hang
});
