/**
 * `lint --stdin --stdin-filename PATH` and the path `-`: the text of standard input linted (and fixed)
 * as if it were PATH — its configuration, `.env`, target and relative files — with findings naming PATH.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jsonFindings, repoRoot, runCli, tempProject, type CliRun } from './helpers/cli.js';

/** The built CLI with `input` on standard input (a pipe, as an editor or a shell pipeline gives it). */
const runWithInput = (args: string[], cwd: string, input: string | Buffer): CliRun => runCli(args, cwd, {}, input);

const BUFFER = 'services:\n  web:\n    image: nginx:${TAG}\n    privileged: true\n';

describe('lint --stdin', () => {
  const p = tempProject({
    // the file on disk differs from the text piped in: only the piped text is linted
    'svc/compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    cap_add: [ALL]\n',
    'svc/.stackopt.yaml': 'rules:\n  resource-limits: off\n  critical-single-replica: off\n',
    'svc/.env': 'TAG=1.27\n',
    'svc/base.yaml': 'services:\n  base:\n    image: redis:7.2\n    privileged: true\n',
    'compose.override.yaml': 'services:\n  web:\n    user: "1000:1000"\n',
  });
  beforeAll(() => assertBuilt());
  afterAll(() => p.cleanup());

  it('lints the text as PATH: its configuration and .env, findings named PATH with exact positions', () => {
    const r = runWithInput(['lint', '--stdin', '--stdin-filename', 'svc/compose.yaml', '--format', 'json'], p.dir, BUFFER);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const findings = jsonFindings(r);
    expect(new Set(findings.map((f) => f.file))).toEqual(new Set(['svc/compose.yaml']));
    // the configuration of svc/ turned these off; TAG came from svc/.env (no interpolation warning, a pinned tag)
    const ids = findings.map((f) => f.ruleId);
    expect(ids).not.toContain('resource-limits');
    expect(ids).not.toContain('interpolation');
    expect(ids).not.toContain('image-tag-pinned');
    // the piped text, not the file on disk (which has cap_add: [ALL] and no privileged)
    expect(findings.find((f) => f.ruleId === 'no-privileged')).toMatchObject({ line: 4, column: 17, service: 'web' });
    expect(ids.filter((id) => id === 'cap-drop-all')).toHaveLength(1);
    expect(findings.find((f) => f.ruleId === 'cap-drop-all')).toMatchObject({ line: 4, column: 17 });
  });

  it('`-` as a path is standard input, named <stdin> and resolved from the working directory without --stdin-filename', () => {
    const r = runWithInput(['lint', '-', '--format', 'json'], p.dir, BUFFER);
    const findings = jsonFindings(r);
    expect(new Set(findings.map((f) => f.file))).toEqual(new Set(['<stdin>']));
    // no .env in the working directory: TAG is unset
    expect(findings.find((f) => f.ruleId === 'interpolation')).toMatchObject({ line: 3, column: 18 });
    const stylish = runWithInput(['lint', '-'], p.dir, BUFFER);
    expect(stylish.stdout.split('\n')[0]).toBe('<stdin>');
  });

  it('relative files resolve from PATH: extends.file beside it is read', () => {
    const text = 'services:\n  web:\n    extends: {file: base.yaml, service: base}\n';
    const r = runWithInput(['lint', '--stdin', '--stdin-filename', 'svc/compose.yaml', '--format', 'json'], p.dir, text);
    const findings = jsonFindings(r);
    expect(findings.some((f) => f.ruleId === 'extends')).toBe(false);
    expect(findings.find((f) => f.ruleId === 'no-privileged')).toMatchObject({ file: 'svc/base.yaml', line: 4, column: 17, service: 'web' });
  });

  it('`-f - -f FILE` merges standard input with a file on disk', () => {
    const r = runWithInput(['lint', '-f', '-', '-f', 'compose.override.yaml', '--stdin-filename', 'compose.yaml', '--format', 'json'], p.dir, 'services:\n  web:\n    image: nginx:1.27\n');
    expect(r.stderr).toBe('');
    const findings = jsonFindings(r);
    // the override sets a user: the merged service has one
    expect(findings.map((f) => f.ruleId)).not.toContain('non-root-user');
    expect(findings.find((f) => f.ruleId === 'no-new-privileges')).toMatchObject({ file: 'compose.yaml', line: 2, column: 3 });
  });

  it('the name decides the target as a file name does (a stack file is linted for swarm)', () => {
    const text = 'services:\n  web:\n    image: nginx:1.27\n    container_name: web\n';
    const swarm = jsonFindings(runWithInput(['lint', '--stdin', '--stdin-filename', 'app-stack.yml', '--format', 'json'], p.dir, text));
    const compose = jsonFindings(runWithInput(['lint', '--stdin', '--stdin-filename', 'compose.yaml', '--format', 'json'], p.dir, text));
    expect(swarm.some((f) => f.ruleId === 'swarm-compat')).toBe(true);
    expect(compose.some((f) => f.ruleId === 'swarm-compat')).toBe(false);
  });

  it('usage errors: one line each, exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['lint', '--stdin-filename', 'compose.yaml'], /^stackopt: --stdin-filename names the text read from standard input: add --stdin \(or the path -\)\n$/],
      [['lint', '--stdin', 'compose.yaml'], /^stackopt: --stdin lints standard input alone/],
      [['lint', '-', '-f', 'x'], /^stackopt: /],
      [['lint', '-', '-'], /^stackopt: `-` \(standard input\) can be given only once\n$/],
      [['lint', '--stdin', '--stdin-filename', ''], /^stackopt: --stdin-filename needs a path/],
      [['fix', '--stdin', '--in-place'], /^stackopt: --in-place writes the input files, and standard input is none/],
    ];
    for (const [args, err] of cases) {
      const r = runWithInput(args, p.dir, BUFFER);
      expect(r.stderr, args.join(' ')).toMatch(err);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.status, args.join(' ')).toBe(2);
    }
  });

  it('input that is not text: one line naming PATH, exit 2', () => {
    const r = runWithInput(['lint', '--stdin', '--stdin-filename', 'svc/compose.yaml'], p.dir, Buffer.from([0x73, 0x3a, 0xff, 0xfe, 0x0a]));
    expect(r.stderr).toBe('stackopt: svc/compose.yaml:1:3: cannot read standard input: not UTF-8 text (a byte 0xff that starts no UTF-8 character there)\n');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a name the configuration ignores is not linted, and says so', () => {
    const q = tempProject({ '.stackopt.yaml': 'ignore:\n  - "vendor/**"\n' });
    try {
      const r = runWithInput(['lint', '--stdin', '--stdin-filename', 'vendor/compose.yaml', '--format', 'json'], q.dir, BUFFER);
      expect(r.stderr).toMatch(/^stackopt: vendor\/compose.yaml is not linted: the ignore patterns of .stackopt.yaml match it\n$/);
      expect(jsonFindings(r)).toEqual([]);
      expect(r.status).toBe(0);
      // fix passes the text through unchanged: a pipe must not lose it
      const f = runWithInput(['fix', '--stdin', '--stdin-filename', 'vendor/compose.yaml'], q.dir, BUFFER);
      expect(f.stdout).toBe(BUFFER);
      expect(f.status).toBe(0);
    } finally {
      q.cleanup();
    }
  });
});

describe('fix --stdin', () => {
  const p = tempProject({ 'svc/.stackopt.yaml': 'rules:\n  critical-single-replica: off\n  resource-limits: off\n', 'svc/compose.yaml': 'services: {}\n' });
  beforeAll(() => assertBuilt());
  afterAll(() => p.cleanup());
  const text = 'services:\n  web:\n    image: nginx:1.27 # pinned\n';

  it('`-` with other files: one line saying that standard input goes to standard output alone (not a word of --stdout)', () => {
    const r = runWithInput(['fix', '-', 'svc/compose.yaml'], p.dir, text);
    expect([r.status, r.stderr, r.stdout]).toEqual([2, 'stackopt: - fixes standard input and prints it to standard output, so it takes no other file (2 given): fix the files on their own\n', '']);
  });

  it('prints the fixed text to standard output and the summary to standard error, with PATH\'s configuration', () => {
    const r = runWithInput(['fix', '--stdin', '--stdin-filename', 'svc/compose.yaml'], p.dir, text);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('services:\n  web:\n    image: nginx:1.27 # pinned\n    security_opt:\n      - no-new-privileges:true\n');
    expect(r.stderr).toMatch(/^svc\/compose.yaml: 1 fixed in 1 pass \(no-new-privileges 1\) → standard output\n/);
    // the file on disk is untouched, and nothing is written beside it
    expect(readFileSync(join(p.dir, 'svc/compose.yaml'), 'utf8')).toBe('services: {}\n');
    // idempotent: the output fixed again is itself
    const again = runWithInput(['fix', '--stdin', '--stdin-filename', 'svc/compose.yaml'], p.dir, r.stdout);
    expect(again.stdout).toBe(r.stdout);
    // and it lints without the fixed finding, and with no new error
    const lint = jsonFindings(runWithInput(['lint', '--stdin', '--stdin-filename', 'svc/compose.yaml', '--format', 'json'], p.dir, r.stdout));
    expect(lint.map((f) => f.ruleId)).not.toContain('no-new-privileges');
    expect(lint.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('--diff and --check work on standard input', () => {
    const d = runWithInput(['fix', '-', '--stdin-filename', 'svc/compose.yaml', '--diff'], p.dir, text);
    expect(d.stdout).toContain('--- a/svc/compose.yaml\n+++ b/svc/compose.yaml\n');
    expect(d.stdout).toContain('+    security_opt:\n');
    const c = runWithInput(['fix', '--stdin', '--stdin-filename', 'svc/compose.yaml', '--check'], p.dir, text);
    expect(c.status).toBe(1);
    expect(c.stdout).toContain('stackopt: fixes are pending');
  });

  it('a text that does not parse comes back unchanged, with exit 2', () => {
    const bad = 'services:\n  web: [\n';
    const r = runWithInput(['fix', '--stdin', '--stdin-filename', 'svc/compose.yaml'], p.dir, bad);
    expect(r.stdout).toBe(bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not fixed, the file does not parse \(svc\/compose.yaml:2:8: /);
  });
});
