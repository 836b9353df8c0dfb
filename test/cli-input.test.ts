/**
 * The built CLI on bad input: exit codes, one-line messages on stderr (never a stack trace), and
 * the outputs a script reads. Every run is `node bin/stackopt.js ...` in a fresh temporary folder,
 * with a timeout (a hang fails the test instead of stalling the suite).
 *
 * The CLI is built once (`npm run build`, skipped when the bundle is newer than every source, as
 * right after `npm test` built it) and the built package (bin/, dist/bundle/, schemas/, the rule
 * READMEs, package.json) is copied to a temporary folder, so that a rebuild running at the same
 * time (another test file, another engineer) cannot pull the bundle away from under these runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, run } from '../src/cli/main.js';
import { allRules } from '../src/engine/registry.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The copy of the built package the tests run (set in beforeAll). */
let PKG = ROOT;
let BIN = join(ROOT, 'bin', 'stackopt.js');
/**
 * Longest a single run may take before it counts as a hang: far above a run's time on a loaded
 * machine (over 20 s at a load of 40 on two cores), below the test's own 300 s.
 */
const RUN_TIMEOUT_MS = 150_000;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const baseEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'CI', 'GITHUB_ACTIONS', 'DOCKER_HOST']) delete env[k];
  return env;
};

/** Run the built CLI; stdin is closed, stdout/stderr are pipes (not a TTY). */
function stackopt(args: string[], opts: { cwd: string; env?: Record<string, string>; uid?: number; gid?: number }): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
    cwd: opts.cwd,
    env: { ...baseEnv(), ...opts.env },
    encoding: 'utf8',
    input: '',
    timeout: RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (r.error) throw new Error(`stackopt ${args.join(' ')}: ${r.error.message}${(r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? ' (it hung)' : ''}`);
  if (r.signal) throw new Error(`stackopt ${args.join(' ')} was killed by ${r.signal}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** No stack trace and no colour codes anywhere in a run's output. */
function expectClean(r: RunResult): void {
  for (const text of [r.stdout, r.stderr]) {
    // a V8 stack frame: "    at fn (file:///...:12:34)" or "    at file:///...:12:34"
    expect(text).not.toMatch(/^\s+at (?:.+ \()?(?:file:|node:|\/|[A-Za-z]:\\).*:\d+:\d+\)?$/m);
    expect(text).not.toMatch(/\b(?:Type|Reference|Syntax|Range)?Error: /);
    expect(text).not.toContain('\u001b[');
  }
}

/** A run whose stderr is exactly one line. */
function oneLine(r: RunResult): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, `stderr: ${r.stderr}`).toHaveLength(1);
  expect(r.stderr.endsWith('\n')).toBe(true);
  return lines[0]!;
}

let dir: string;
const dirs: string[] = [];
/** A fresh folder holding `files`. */
function project(files: Record<string, string> = {}): string {
  const d = mkdtempSync(join(dir, 'p-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, name)), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

/** The newest modification time of the files the bundle is built from. */
function newestSource(): number {
  let newest = statSync(join(ROOT, 'package.json')).mtimeMs;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs|json)$/.test(e.name) && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['src', 'rules', 'scripts']) walk(join(ROOT, d));
  return newest;
}

/** Copy what the built CLI reads at run time into `to`, and check that it runs. */
function snapshotPackage(to: string): boolean {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(to, 'package.json'));
  cpSync(join(ROOT, 'bin'), join(to, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'bundle'), join(to, 'dist', 'bundle'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'stack-validators'), join(to, 'dist', 'stack-validators'), { recursive: true });
  cpSync(join(ROOT, 'schemas'), join(to, 'schemas'), { recursive: true });
  for (const id of readdirSync(join(ROOT, 'rules'))) {
    const readme = join(ROOT, 'rules', id, 'README.md');
    if (existsSync(readme)) cpSync(readme, join(to, 'rules', id, 'README.md'));
  }
  const v = spawnSync(process.execPath, [join(to, 'bin', 'stackopt.js'), '--version'], { encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  return v.status === 0;
}

beforeAll(async () => {
  const bundle = join(ROOT, 'dist', 'bundle', 'stackopt.cjs');
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource()) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL' });
    if (b.status !== 0) throw new Error(`npm run build failed:\n${b.stdout}\n${b.stderr}`);
  }
  dir = mkdtempSync(join(tmpdir(), 'stackopt-cli-'));
  PKG = join(dir, 'pkg');
  BIN = join(PKG, 'bin', 'stackopt.js');
  // a rebuild elsewhere may be halfway through: try again shortly
  for (let attempt = 0; !snapshotPackage(PKG); attempt++) {
    if (attempt >= 5) throw new Error('the built CLI does not run (npm run build)');
    await new Promise((r) => setTimeout(r, 2000));
  }
}, 300_000);

afterAll(() => {
  for (const d of dirs) {
    try {
      chmodSync(join(d, 'compose.yaml'), 0o644);
    } catch {
      /* not there */
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const INVALID = 'services:\n  web:\n    image: nginx\n    ports: ["80:80"\n';
const SCHEMA_ERROR = 'services:\n  web:\n    image: 5\n';

describe('files that cannot be read: exit 2, one line on stderr', () => {
  it('a missing file', () => {
    const r = stackopt(['lint', 'nope.yaml'], { cwd: project() });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe('stackopt: nope.yaml: cannot read file: no such file');
    expectClean(r);
  });

  it('a missing file among readable ones: the others are still linted, exit 2', () => {
    const r = stackopt(['lint', '--format', 'json', 'compose.yaml', 'nope.yaml'], { cwd: project({ 'compose.yaml': SCHEMA_ERROR }) });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe('stackopt: nope.yaml: cannot read file: no such file');
    const report = JSON.parse(r.stdout) as { results: Array<{ file: string }> };
    expect(report.results.map((x) => x.file)).toEqual(['compose.yaml']);
    expectClean(r);
  });

  it('an unreadable file (chmod 000); as root, the CLI runs as nobody, for whom it is unreadable', (ctx) => {
    const d = project({ 'compose.yaml': SCHEMA_ERROR });
    const file = join(d, 'compose.yaml');
    chmodSync(file, 0o000);
    // root reads any file: run the CLI as the unprivileged user "nobody" (65534) instead
    const asRoot = process.getuid?.() === 0;
    const user = asRoot ? { uid: 65534, gid: 65534 } : {};
    if (asRoot) {
      chmodSync(dir, 0o755);
      chmodSync(d, 0o755);
    }
    let readable = true;
    try {
      if (asRoot) readable = spawnSync(process.execPath, ['-e', `require('fs').readFileSync(${JSON.stringify(file)})`], { ...user, timeout: RUN_TIMEOUT_MS }).status === 0;
      else readFileSync(file);
    } catch {
      readable = false;
    }
    if (readable) {
      // a user who can read a chmod 000 file (e.g. CAP_DAC_OVERRIDE): nothing to test here
      chmodSync(file, 0o644);
      ctx.skip();
      return;
    }
    const r = stackopt(['lint', 'compose.yaml'], { cwd: d, ...user });
    chmodSync(file, 0o644);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe('stackopt: compose.yaml: cannot read file: permission denied');
    expectClean(r);
  });

  it('a folder that cannot be read (chmod 000): named, one line, exit 2; found in a folder searched, said, exit 2 (as nobody, as above)', (ctx) => {
    const d = project({ 'compose.yaml': SCHEMA_ERROR, 'locked/compose.yaml': SCHEMA_ERROR });
    const asRoot = process.getuid?.() === 0;
    const user = asRoot ? { uid: 65534, gid: 65534 } : {};
    if (asRoot) {
      chmodSync(dir, 0o755);
      chmodSync(d, 0o755);
      chmodSync(join(d, 'compose.yaml'), 0o644);
    }
    chmodSync(join(d, 'locked'), 0o000);
    const readable = asRoot ? spawnSync(process.execPath, ['-e', `require('fs').readdirSync(${JSON.stringify(join(d, 'locked'))})`], { ...user, timeout: RUN_TIMEOUT_MS }).status === 0 : (() => { try { readdirSync(join(d, 'locked')); return true; } catch { return false; } })();
    if (readable) {
      chmodSync(join(d, 'locked'), 0o755);
      ctx.skip();
      return;
    }
    const named = stackopt(['lint', 'locked'], { cwd: d, ...user });
    const searched = stackopt(['lint', '--format', 'json', '.'], { cwd: d, ...user });
    chmodSync(join(d, 'locked'), 0o755);
    expect([named.code, oneLine(named)]).toEqual([2, 'stackopt: locked: cannot read the folder (permission denied)']);
    expect([searched.code, oneLine(searched)]).toEqual([2, 'stackopt: locked is not read: a folder that cannot be read (permission denied)']);
    expect((JSON.parse(searched.stdout) as { results: Array<{ file: string }> }).results.map((x) => x.file)).toEqual(['compose.yaml']);
  });

  it('a binary file: exit 2, one line; a FIFO nobody writes to: read as empty, no hang', () => {
    const d = project({ 'compose.yaml': SCHEMA_ERROR });
    writeFileSync(join(d, 'bin.yaml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    const bin = stackopt(['lint', 'bin.yaml'], { cwd: d });
    expect(bin.code).toBe(2);
    expect(oneLine(bin)).toBe('stackopt: bin.yaml:3:1: cannot read file: not a text file (a NUL byte)');
    expectClean(bin);
    // a .env in Latin-1: where the first byte that is not UTF-8 is
    writeFileSync(join(d, '.env'), Buffer.from([...Buffer.from('A=1\nCITY=caf'), 0xe9, 0x0a]));
    const env = stackopt(['lint', 'compose.yaml'], { cwd: d });
    expect(env.code).toBe(2);
    expect(oneLine(env)).toBe('stackopt: .env:2:9: cannot read env file: not UTF-8 text (a byte 0xe9 that starts no UTF-8 character there)');
    rmSync(join(d, '.env'));
    spawnSync('mkfifo', [join(d, 'fifo.yaml')]);
    const fifo = stackopt(['lint', '--format', 'compact', 'fifo.yaml'], { cwd: d });
    expect(fifo.code).toBe(1);
    expect(fifo.stdout).toContain('fifo.yaml:1:1: error the file is empty');
    expectClean(fifo);
  });

  it('a missing -f file', () => {
    const r = stackopt(['lint', '-f', 'compose.yaml', '-f', 'missing.override.yaml'], { cwd: project({ 'compose.yaml': SCHEMA_ERROR }) });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe('stackopt: missing.override.yaml: cannot read file: no such file');
    expectClean(r);
  });

  it('a missing --env-file (in process): exit 2, one line', async () => {
    const d = project({ 'compose.yaml': SCHEMA_ERROR });
    const err: string[] = [];
    const cwd = process.cwd();
    process.chdir(d);
    try {
      const code = await run(['lint', '--env-file', 'prod.env', 'compose.yaml'], { stdout: () => {}, stderr: (l) => err.push(l), isTTY: false });
      expect(code).toBe(2);
    } finally {
      process.chdir(cwd);
    }
    expect(err).toEqual(['stackopt: prod.env: cannot read env file: no such file']);
  });

  it('a missing --env-file (spawned): one line, no stack trace', () => {
    const r = stackopt(['lint', '--env-file', 'prod.env', 'compose.yaml'], { cwd: project({ 'compose.yaml': SCHEMA_ERROR }) });
    // Node itself looks for a file after any "--env-file" in argv, even one meant for the script,
    // and exits 9 before stackopt runs (nodejs/node#54232); where it does not, stackopt reports it
    if (r.code === 9) expect(r.stderr).toBe(`${process.execPath}: prod.env: not found\n`);
    else {
      expect(r.code).toBe(2);
      expect(oneLine(r)).toBe('stackopt: prod.env: cannot read env file: no such file');
    }
    expectClean(r);
  });

  it('an existing --env-file is read', () => {
    const d = project({ 'compose.yaml': 'services:\n  web:\n    image: "app:${TAG:?need TAG}"\n', 'prod.env': 'TAG=1.0\n' });
    const r = stackopt(['lint', '--format', 'json', '--env-file', 'prod.env', 'compose.yaml'], { cwd: d });
    const findings = (JSON.parse(r.stdout) as { results: Array<{ findings: Array<{ ruleId: string }> }> }).results[0]!.findings;
    expect(findings.filter((f) => f.ruleId === 'interpolation')).toEqual([]);
    const without = stackopt(['lint', '--format', 'json', 'compose.yaml'], { cwd: d });
    expect((JSON.parse(without.stdout) as { results: Array<{ findings: Array<{ ruleId: string; line: number; column: number }> }> }).results[0]!.findings.filter((f) => f.ruleId === 'interpolation').map((f) => [f.line, f.column])).toEqual([[3, 17]]);
  });

  it('a bad line in .env: file:line:col', () => {
    const r = stackopt(['lint', 'compose.yaml'], { cwd: project({ 'compose.yaml': SCHEMA_ERROR, '.env': 'A=1\nB="open\n' }) });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe('stackopt: .env:2:3: unterminated quoted value: " has no closing "');
    expectClean(r);
  });
});

describe('directories', () => {
  it('a directory with no compose files: exit 2', () => {
    const d = project({ 'empty/notes.txt': 'x', 'empty/other.yaml': 'a: 1\n' });
    const r = stackopt(['lint', 'empty'], { cwd: d });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe(
      'stackopt: empty: no compose files found (looked for compose.y{a,}ml, compose.*.y{a,}ml, *.compose.y{a,}ml, docker-compose*.y{a,}ml and *stack*.y{a,}ml, recursively); pass a file path',
    );
    expectClean(r);
  });

  it('a directory argument finds compose files (recursively, sorted, not in node_modules)', () => {
    const d = project({
      'proj/compose.yaml': SCHEMA_ERROR,
      'proj/sub/docker-compose.prod.yml': SCHEMA_ERROR,
      'proj/deploy/web-stack.yml': SCHEMA_ERROR,
      'proj/other.yaml': SCHEMA_ERROR,
      'proj/node_modules/x/compose.yaml': SCHEMA_ERROR,
    });
    const r = stackopt(['lint', '--format', 'json', 'proj'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { results: Array<{ file: string; findings: Array<{ ruleId: string; line: number; column: number }> }> };
    expect(report.results.map((x) => x.file)).toEqual(['proj/compose.yaml', 'proj/deploy/web-stack.yml', 'proj/sub/docker-compose.prod.yml']);
    for (const res of report.results) expect(res.findings.filter((f) => f.ruleId === 'schema').map((f) => [f.line, f.column])).toEqual([[3, 12]]);
  });

  it('no argument lints the current directory', () => {
    const r = stackopt(['lint', '--format', 'json'], { cwd: project({ 'compose.yaml': SCHEMA_ERROR }) });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { results: Array<{ file: string }> };
    expect(report.results.map((x) => x.file)).toEqual(['compose.yaml']);
  });

  it('no argument in a directory without compose files: exit 2 naming the current directory', () => {
    const r = stackopt(['lint'], { cwd: project({ 'README.md': '# nothing\n' }) });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/^stackopt: the current directory: no compose files found \(/);
    expectClean(r);
  });
});

describe('usage errors: exit 2', () => {
  it('a report that cannot be written, to -o or to standard output: exit 2, one line in words', () => {
    const d = project({ 'compose.yaml': SCHEMA_ERROR });
    const toFile = stackopt(['lint', '--format', 'sarif', '-o', '/dev/full', 'compose.yaml'], { cwd: d });
    expect(toFile.code).toBe(2);
    expect(oneLine(toFile)).toBe('stackopt: cannot write /dev/full: no space left on the device');
    const missing = stackopt(['lint', '-o', 'no/such/folder/report.txt', 'compose.yaml'], { cwd: d });
    expect(oneLine(missing)).toBe('stackopt: cannot write no/such/folder/report.txt: the folder does not exist');
    const full = openSync('/dev/full', 'w');
    try {
      // every format: json and sarif write after the lint has returned, when the process is about to end
      for (const format of ['stylish', 'json', 'sarif']) {
        const r = spawnSync(process.execPath, [BIN, 'lint', '--format', format, 'compose.yaml'], { cwd: d, env: baseEnv(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
        expect([format, r.status, r.stderr]).toEqual([format, 2, 'stackopt: cannot write output: no space left on the device\n']);
      }
    } finally {
      closeSync(full);
    }
  });

  it('output that a file takes only part of (a file size limit) is exit 2 with one line, not output cut short and no word: lint, fix --stdout, audit', () => {
    const d = mkdtempSync(join(tmpdir(), 'stackopt-fsize-'));
    try {
      cpSync(join(ROOT, 'fixtures', 'corpus'), d, { recursive: true });
      const runs = [
        ['lint', '--format', 'json', '.'],
        ['fix', '--stdout', join(ROOT, 'fixtures', 'seed-examples', 'high-efficiency-stack.yml')],
        ['audit', '--snapshot', join(ROOT, 'fixtures', 'audit', 'multi-node.json')],
      ];
      for (const args of runs) {
        const whole = spawnSync(process.execPath, [BIN, ...args], { cwd: d, env: baseEnv(), encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
        expect(whole.stdout.length, args[0]).toBeGreaterThan(2048);
        // the shell ignores SIGXFSZ (an ignored signal stays ignored through exec) and limits the
        // files the run writes to one block (512 or 1,024 bytes): a write crosses the limit
        const script = `trap '' XFSZ; ulimit -f 1; exec "$0" "$@" > out.txt`;
        const r = spawnSync('sh', ['-c', script, process.execPath, BIN, ...args], { cwd: d, env: baseEnv(), encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
        // (fix --stdout writes its summary to standard error first)
        expect([args[0], r.status, r.stderr.split('\n').at(-2), r.stderr.includes('    at ')]).toEqual([args[0], 2, 'stackopt: cannot write output: the file would be larger than allowed (a file size limit)', false]);
        // what the file took is the report's start, up to the limit: a write cut short is followed by the rest until the limit stops it
        const out = readFileSync(join(d, 'out.txt'));
        expect([512, 1024], args[0]).toContain(out.length);
        expect(Buffer.from(whole.stdout).subarray(0, out.length).equals(out), args[0]).toBe(true);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('a reader that stops early (`| head`) leaves the status of the run: 1 for findings, with a report larger than a pipe holds', async () => {
    const d = mkdtempSync(join(tmpdir(), 'stackopt-head-'));
    try {
      cpSync(join(ROOT, 'fixtures', 'corpus'), d, { recursive: true });
      for (const format of ['stylish', 'compact']) {
        const child = spawn(process.execPath, [BIN, 'lint', '--format', format, '.'], { cwd: d, env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        // the first piece read, the reader goes away, as `head -1` does
        child.stdout.once('data', () => child.stdout.destroy());
        const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
        expect(stderr, format).toBe('');
        expect(code, format).toBe(1);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }, RUN_TIMEOUT_MS);

  it('an unknown format names the valid ones', () => {
    const r = stackopt(['lint', '--format', 'yml', 'compose.yaml'], { cwd: project({ 'compose.yaml': SCHEMA_ERROR }) });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/^stackopt: unknown format "yml"; choose one of stylish, .*json/);
    expect(r.stdout).toBe('');
    expectClean(r);
  });

  it('an unknown command', () => {
    const r = stackopt(['lnt'], { cwd: project() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'lnt'\n(Did you mean lint?)\n");
    expectClean(r);
  });

  it('an unknown option', () => {
    const r = stackopt(['lint', '--bogus'], { cwd: project() });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe("error: unknown option '--bogus'");
    expectClean(r);
  });

  it('a misspelt option gets a suggestion', () => {
    const r = stackopt(['lint', '--formt', 'json'], { cwd: project() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--formt'\n(Did you mean --format?)\n");
    expectClean(r);
  });

  it('an option without its value', () => {
    const r = stackopt(['lint', '--format'], { cwd: project() });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe("error: option '--format <name>' argument missing");
    expectClean(r);
  });

  it('a long option value, option or command is not echoed whole: its first 60 characters and its length', () => {
    const long = 'x'.repeat(100_000);
    const cut = `${'x'.repeat(60)}…`;
    const cwd = project();
    for (const [args, line] of [
      [['lint', '--format', long], `stackopt: unknown format "${cut}" (100000 characters); choose one of stylish, compact, json, sarif, github, junit, codeclimate, rdjson`],
      [['rules', long], `stackopt: unknown rule "${cut}" (100000 characters) (stackopt rules lists them)`],
      [['rules', '--format', long], `stackopt: unknown format "${cut}" (100000 characters) for rules; choose one of text, markdown`],
      [['lint', '--target', long], `stackopt: --target takes compose, swarm or auto, not "${cut}" (100000 characters)`],
      [['lint', '--fail-on', long], `stackopt: --fail-on takes error, warning, info or none, not "${cut}" (100000 characters)`],
      [['lint', '--max-warnings', long], `stackopt: --max-warnings takes a whole number of warnings (0 or more, or -1 for no limit), not "${cut}" (100000 characters)`],
      [['lint', '--rule', long], `stackopt: --rule takes ID:SEVERITY (severity off, info, warning or error), e.g. --rule healthcheck-required:off; not "${cut}" (100000 characters)`],
      [['lint', '--rule', `no-privileged:${long}`], `stackopt: --rule no-privileged:${'x'.repeat(46)}… (100014 characters): the severity must be off, info, warning or error, not "${cut}" (100000 characters)`],
      [['fix', '--preset', long], `stackopt: unknown preset "${cut}" (100000 characters); choose one of edge, small, default, large`],
      [['audit', '--format', long], `stackopt: unknown format "${cut}" (100000 characters); choose one of stylish, compact, json, sarif, github, junit, codeclimate, rdjson`],
      [['lint', `--${long}`], `error: unknown option '--${'x'.repeat(58)}…' (100002 characters)`],
      [[long], `error: unknown command '${cut}' (100000 characters)`],
    ] as const) {
      const r = stackopt([...args], { cwd });
      expect([r.code, oneLine(r)], args[0]).toEqual([2, line]);
      expectClean(r);
    }
  });

  it('paths and -f together: a path already among the -f files is not linted twice', () => {
    const r = stackopt(['lint', '--format', 'json', '-f', 'compose.yaml', 'compose.yaml'], { cwd: project({ 'compose.yaml': SCHEMA_ERROR }) });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { results: Array<{ file: string }> }).results.map((x) => x.file)).toEqual(['compose.yaml']);
  });
});

describe('invalid YAML: exit 1 with a yaml-syntax finding at file:line:col', () => {
  it('compact: file:line:col', () => {
    const r = stackopt(['lint', '--format', 'compact', 'compose.yaml'], { cwd: project({ 'compose.yaml': INVALID }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('compose.yaml:4:12: error Flow sequence in block collection must be sufficiently indented and end with a ] [yaml-syntax]');
    expectClean(r);
  });

  it('stylish: the position, the rule id and the source line', () => {
    const r = stackopt(['lint', 'compose.yaml'], { cwd: project({ 'compose.yaml': INVALID }) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^compose\.yaml$/m);
    expect(r.stdout).toMatch(/^ {2}4:12 +error +Flow sequence in block collection must be sufficiently indented and end with a \] +yaml-syntax$/m);
    expect(r.stdout).toContain('    ports: ["80:80"');
    expectClean(r);
  });

  it('json: the finding in full', () => {
    const r = stackopt(['lint', '--format', 'json', 'compose.yaml'], { cwd: project({ 'compose.yaml': INVALID }) });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { results: Array<{ file: string; findings: unknown[] }> };
    expect(report.results).toEqual([
      {
        file: 'compose.yaml',
        findings: [
          {
            ruleId: 'yaml-syntax',
            severity: 'error',
            message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
            file: 'compose.yaml',
            service: null,
            path: '',
            line: 4,
            column: 12,
            endLine: 4,
            endColumn: 13,
            fixable: false,
          },
        ],
      },
    ]);
  });

  it('an empty file, a list root and an alias bomb: exit 1, no hang; a multi-document file is read as its first, with a warning', () => {
    let bomb = 'x-l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) bomb += `x-l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
    const d = project({
      'a-compose.yaml': '',
      'b-compose.yaml': '- web\n',
      'c-compose.yaml': 'services: {}\n---\nservices: {}\n',
      'd-compose.yaml': `${bomb}services:\n  web:\n    command: *l9\n`,
    });
    // no hang: an unbounded expansion of the bomb (9^10 nodes) would not end before the CLI run's
    // own time limit; the bounded read is reported below at the alias that passes the bound
    const r = stackopt(['lint', '--format', 'compact', 'a-compose.yaml', 'b-compose.yaml', 'c-compose.yaml', 'd-compose.yaml'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('a-compose.yaml:1:1: error the file is empty: a compose file needs at least a services: mapping [yaml-syntax]');
    expect(r.stdout).toContain('b-compose.yaml:1:1: error the document is a sequence; a compose file is a mapping with a services: key [yaml-syntax]');
    expect(r.stdout).toContain('c-compose.yaml:2:1: warning this file holds 2 YAML documents:');
    expect(r.stdout).toContain('d-compose.yaml:7:12: error aliases expand this document past 1,000,000 nodes');
    expectClean(r);
  });
});

describe('--format json output shape', () => {
  it('tool, results with typed findings, summary', () => {
    const r = stackopt(['lint', '--format', 'json', 'compose.yaml'], {
      cwd: project({ 'compose.yaml': 'services:\n  web:\n    image: 5\n    user: ${U:?set U}\n' }),
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toEqual({
      tool: { name: 'stackopt', version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
      results: [{ file: 'compose.yaml', findings: expect.any(Array) }],
      summary: expect.objectContaining({ files: 1, errors: expect.any(Number), warnings: expect.any(Number) }),
    });
    const findings = (report.results as Array<{ findings: Array<Record<string, unknown>> }>)[0]!.findings;
    for (const f of findings) {
      expect(f).toEqual(
        expect.objectContaining({
          ruleId: expect.any(String),
          severity: expect.stringMatching(/^(error|warning|info)$/),
          message: expect.any(String),
          path: expect.any(String),
          line: expect.any(Number),
          column: expect.any(Number),
          endLine: expect.any(Number),
          endColumn: expect.any(Number),
          fixable: expect.any(Boolean),
        }),
      );
      expect(f.service === null || typeof f.service === 'string').toBe(true);
      expect(f.line as number).toBeGreaterThanOrEqual(1);
      expect(f.column as number).toBeGreaterThanOrEqual(1);
    }
    const pick = (id: string) => findings.find((f) => f.ruleId === id);
    expect(pick('schema')).toMatchObject({ service: 'web', path: 'services.web.image', line: 3, column: 12, endLine: 3, endColumn: 13, fixable: false });
    expect(pick('interpolation')).toMatchObject({ severity: 'error', service: 'web', path: 'services.web.user', line: 4, column: 11, endLine: 4, endColumn: 22, message: 'required variable U is not set: set U' });
  });
});

describe('colour', () => {
  const file = { 'compose.yaml': INVALID };

  it('not a TTY: no escape codes', () => {
    const r = stackopt(['lint', 'compose.yaml'], { cwd: project(file) });
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('FORCE_COLOR turns colour on; NO_COLOR and --no-color win over it', () => {
    const d = project(file);
    expect(stackopt(['lint', 'compose.yaml'], { cwd: d, env: { FORCE_COLOR: '1' } }).stdout).toContain('\u001b[');
    const noColor = stackopt(['lint', 'compose.yaml'], { cwd: d, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001b[');
    expect(noColor.stdout).toMatch(/4:12 +error/);
    expect(stackopt(['lint', '--no-color', 'compose.yaml'], { cwd: d, env: { FORCE_COLOR: '1' } }).stdout).not.toContain('\u001b[');
  });
});

describe('help', () => {
  const g = { version: '0', stdout: () => {}, stderr: () => {}, isTTY: false, exitCode: 0, debug: false };
  const program = buildProgram(g);
  const commands = program.commands.filter((c: Command) => c.name() !== 'help');

  it('the program lists every command and global option', () => {
    const r = stackopt(['--help'], { cwd: project() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const c of commands) expect(r.stdout).toContain(c.name());
    for (const o of program.options) expect(r.stdout).toContain(o.long!);
    expectClean(r);
  });

  it('there is a help for every command', () => {
    expect(commands.map((c: Command) => c.name())).toEqual(expect.arrayContaining(['lint', 'rules']));
  });

  for (const c of commands) {
    it(`${c.name()} --help: exit 0, every flag mentioned`, () => {
      const r = stackopt([c.name(), '--help'], { cwd: project() });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      for (const o of c.options) {
        if (o.long) expect(r.stdout).toContain(o.long);
        if (o.short) expect(r.stdout).toContain(`${o.short},`);
      }
      expect(r.stdout).toContain('--help');
      expectClean(r);
      // `stackopt help <command>` prints the same
      expect(stackopt(['help', c.name()], { cwd: project() }).stdout).toBe(r.stdout);
    });
  }

  it('--version prints the version', () => {
    const r = stackopt(['--version'], { cwd: project() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });
});

describe('rules', () => {
  it('stackopt rules lists every rule with its severity', () => {
    const r = stackopt(['rules'], { cwd: project() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    for (const rule of allRules) {
      const line = lines.find((l) => l.startsWith(`${rule.meta.id} `));
      expect(line, rule.meta.id).toBeDefined();
      expect(line).toContain(rule.meta.severity);
    }
    expectClean(r);
  });

  it('stackopt rules <id> prints the rule\'s README byte for byte', () => {
    const r = stackopt(['rules', 'resource-limits'], { cwd: project() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(PKG, 'rules', 'resource-limits', 'README.md'), 'utf8'));
  });

  it('a parser check has a doc too', () => {
    const r = stackopt(['rules', 'yaml-syntax'], { cwd: project() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# yaml-syntax/);
  });

  it('an unknown id: exit 2 with a suggestion', () => {
    const r = stackopt(['rules', 'resource-limit'], { cwd: project() });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe('stackopt: unknown rule "resource-limit"; did you mean "resource-limits"? (stackopt rules lists them)');
    expect(r.stdout).toBe('');
    expectClean(r);
  });

  it('an unknown id with nothing close: no suggestion', () => {
    const r = stackopt(['rules', 'zzzz'], { cwd: project() });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe('stackopt: unknown rule "zzzz" (stackopt rules lists them)');
  });
});

describe('hang guard', () => {
  it('every run above had a timeout; a run with stdin open and no input still ends', () => {
    const r = spawnSync(process.execPath, [BIN, 'lint', 'compose.yaml'], {
      cwd: project({ 'compose.yaml': INVALID }),
      env: baseEnv(),
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: RUN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    expect(r.error).toBeUndefined();
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
  });
});
