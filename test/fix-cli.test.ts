import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempProject, tempProjects } from './helpers/cli.js';

/**
 * `stackopt fix` end to end through `node bin/stackopt.js` (run `npm run build` first): where it
 * writes, --diff, --check, --stdout, -o, --in-place, --unsafe, --rule, --preset, several files,
 * and that an input's bytes never change without --in-place.
 */
beforeAll(assertBuilt);

const STACK = `# the shop
services:
  api:
    image: myorg/api:1 # backend
  db:
    image: postgres:16
`;

const FIXED_API = `# the shop
services:
  api:
    image: myorg/api:1 # backend
    deploy:
      resources:
        limits:
          cpus: '2'
          memory: 2G
        reservations:
          cpus: '0.4'
          memory: 1G
  db:
    image: postgres:16
    deploy:
      resources:
        limits:
          cpus: '2'
          memory: 4G
        reservations:
          cpus: '0.4'
          memory: 2G
`;

const project = tempProjects();

const bytes = (p: string) => readFileSync(p);
const optimizedFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.optimized')).sort();

describe('stackopt fix (CLI)', () => {
  it('writes <file>.optimized beside the input and never touches the input', () => {
    const p = project({ 'stack.yml': STACK });
    const before = bytes(join(p.dir, 'stack.yml'));
    const r = runCli(['fix', 'stack.yml', '--rule', 'resource-limits'], p.dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(p.dir, 'stack.yml.optimized'), 'utf8')).toBe(FIXED_API);
    expect(bytes(join(p.dir, 'stack.yml')).equals(before)).toBe(true);
    expect(r.stdout).toContain('stack.yml: 2 fixed in 1 pass (resource-limits 2) → stack.yml.optimized');
    expect(r.stdout).toMatch(/fixed {2}resource-limits +api: added limits cpus '2', memory 2G and reservations cpus '0.4', memory 1G \(class backend, preset default\)/);
    // what the stack reserves and is limited to in all, before and after
    expect(r.stdout).toContain('  resources  reserved 0.00 → 0.80 CPUs and 0 → 3 GiB; limits 0.00 → 4.00 CPUs and 0 → 6 GiB (2 tasks, replicas counted)\n');
    expect(r.stdout).toMatch(/fixed 2 problems, left \d+ in 1 project; wrote 1 file/);
    // no temporary file is left behind
    expect(readdirSync(p.dir).sort()).toEqual(['stack.yml', 'stack.yml.optimized']);
  });

  it('lists what it left and why (no fix, unsafe, not selected)', () => {
    const p = project({ 'stack.yml': STACK });
    const r = runCli(['fix', 'stack.yml'], p.dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/left {3}healthcheck-required +3:3 {2}api: no automatic fix: service "api" has no healthcheck/);
    expect(r.stdout).toMatch(/left {3}non-root-user +3:3 {2}api: unsafe, needs --unsafe: set user to "1000:1000"/);
    expect(r.stdout).toMatch(/left {3}critical-single-replica +5:3 {2}db: no automatic fix: .*keeps state/);
    const only = runCli(['fix', 'stack.yml', '--rule', 'healthcheck-required'], p.dir);
    expect(only.stdout).toMatch(/left {3}resource-limits +3:3 {2}api: not selected with --rule/);
  });

  it('always writes the .optimized file: an identical copy when nothing needs fixing', () => {
    const clean = '# nothing to do\r\nservices: {}\r\n';
    const p = project({ 'clean.yml': clean });
    const r = runCli(['fix', 'clean.yml'], p.dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('clean.yml: nothing to fix → clean.yml.optimized (an identical copy)');
    expect(bytes(join(p.dir, 'clean.yml.optimized')).equals(Buffer.from(clean))).toBe(true);
  });

  it('--diff prints a unified diff and writes nothing', () => {
    const p = project({ 'stack.yml': STACK });
    const before = bytes(join(p.dir, 'stack.yml'));
    const r = runCli(['fix', 'stack.yml', '--diff', '--rule', 'resource-limits'], p.dir);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('--- a/stack.yml\n+++ b/stack.yml\n@@ -1,6 +1,22 @@\n')).toBe(true);
    expect(r.stdout).toContain('\n     image: myorg/api:1 # backend\n+    deploy:\n+      resources:\n');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
    // the summary goes to stderr, so the diff can be piped to `patch` / `git apply`
    expect(r.stderr).toContain('stack.yml: 2 to fix (resource-limits 2)');
    expect(optimizedFiles(p.dir)).toEqual([]);
    expect(bytes(join(p.dir, 'stack.yml')).equals(before)).toBe(true);
  });

  it('--diff output applies with git apply and gives the fixed file', () => {
    const p = project({ 'stack.yml': STACK });
    const diff = runCli(['fix', 'stack.yml', '--diff', '--rule', 'resource-limits'], p.dir).stdout;
    p.write('fix.patch', diff);
    const git = spawnSync('git', ['apply', '--unsafe-paths', 'fix.patch'], { cwd: p.dir, encoding: 'utf8' });
    expect(git.status, git.stderr).toBe(0);
    expect(readFileSync(join(p.dir, 'stack.yml'), 'utf8')).toBe(FIXED_API);
  });

  it('--check exits 1 when something would change, 0 when nothing would, and writes nothing', () => {
    const p = project({ 'stack.yml': STACK, 'done.yml': FIXED_API });
    const before = bytes(join(p.dir, 'stack.yml'));
    const pending = runCli(['fix', '--check', 'stack.yml', '--rule', 'resource-limits'], p.dir);
    expect(pending.status).toBe(1);
    expect(pending.stdout).toContain('stack.yml: 2 to fix (resource-limits 2)');
    expect(pending.stdout).toContain('fixes are pending');
    const clean = runCli(['fix', '--check', 'done.yml', '--rule', 'resource-limits'], p.dir);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain('done.yml: nothing to fix');
    expect(optimizedFiles(p.dir)).toEqual([]);
    expect(bytes(join(p.dir, 'stack.yml')).equals(before)).toBe(true);
  });

  it('--stdout prints exactly the fixed bytes; the summary goes to stderr', () => {
    const crlf = `\uFEFF${STACK.replace(/\n/g, '\r\n')}`;
    const p = project({ 'stack.yml': crlf });
    const r = runCli(['fix', 'stack.yml', '--stdout', '--rule', 'resource-limits'], p.dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`\uFEFF${FIXED_API.replace(/\n/g, '\r\n')}`);
    expect(r.stderr).toContain('stack.yml: 2 fixed in 1 pass (resource-limits 2) → standard output');
    expect(optimizedFiles(p.dir)).toEqual([]);
    expect(bytes(join(p.dir, 'stack.yml')).equals(Buffer.from(crlf))).toBe(true);
  });

  it('-o FILE writes there (one input only)', () => {
    const p = project({ 'stack.yml': STACK, 'other.yml': STACK });
    const r = runCli(['fix', 'stack.yml', '-o', 'out/hardened.yml', '--rule', 'resource-limits'], p.dir);
    // the folder must exist: fix does not create folders
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*hardened\.yml/);
    const ok = runCli(['fix', 'stack.yml', '-o', 'hardened.yml', '--rule', 'resource-limits'], p.dir);
    expect(ok.status).toBe(0);
    expect(readFileSync(join(p.dir, 'hardened.yml'), 'utf8')).toBe(FIXED_API);
    expect(optimizedFiles(p.dir)).toEqual([]);
    const two = runCli(['fix', 'stack.yml', 'other.yml', '-o', 'x.yml'], p.dir);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('-o takes exactly one input file, not 2');
  });

  it('-o names a device (through a link): written to, never replaced; a device, pipe or socket at .optimized is refused, not replaced', () => {
    const p = project({ 'stack.yml': STACK });
    symlinkSync('/dev/null', join(p.dir, 'null'));
    const r = runCli(['fix', 'stack.yml', '-o', 'null', '--rule', 'resource-limits'], p.dir);
    expect(r.status).toBe(0);
    // still the link to the device: a rename would have put a file in its place (as root, on the device itself)
    expect(lstatSync(join(p.dir, 'null')).isSymbolicLink()).toBe(true);
    expect(statSync(join(p.dir, 'null')).isCharacterDevice()).toBe(true);
    symlinkSync('/dev/full', join(p.dir, 'full'));
    const full = runCli(['fix', 'stack.yml', '-o', 'full', '--rule', 'resource-limits'], p.dir);
    expect(full.status).toBe(2);
    expect(full.stderr).toMatch(/^stackopt: cannot write .*full: no space left on the device/m);
    expect(lstatSync(join(p.dir, 'full')).isSymbolicLink()).toBe(true);
    // a named pipe planted where the copy goes: not waited on, not replaced
    expect(spawnSync('mkfifo', [join(p.dir, 'stack.yml.optimized')]).status).toBe(0);
    const fifo = runCli(['fix', 'stack.yml', '--rule', 'resource-limits'], p.dir);
    expect(fifo.status).toBe(2);
    expect(fifo.stderr).toMatch(/^stackopt: cannot write .*stack\.yml\.optimized: it is a FIFO, not a regular file$/m);
    expect(lstatSync(join(p.dir, 'stack.yml.optimized')).isFIFO()).toBe(true);
  });

  it('--in-place rewrites the input, and only files that change', () => {
    const p = project({ 'stack.yml': STACK, 'done.yml': FIXED_API });
    const mtime = statSync(join(p.dir, 'done.yml')).mtimeMs;
    const r = runCli(['fix', '--in-place', 'stack.yml', 'done.yml', '--rule', 'resource-limits'], p.dir);
    expect(r.status).toBe(0);
    expect(readFileSync(join(p.dir, 'stack.yml'), 'utf8')).toBe(FIXED_API);
    expect(statSync(join(p.dir, 'done.yml')).mtimeMs).toBe(mtime);
    expect(optimizedFiles(p.dir)).toEqual([]);
    expect(r.stdout).toContain('wrote 1 file');
    // idempotent
    const again = runCli(['fix', '--check', 'stack.yml', '--rule', 'resource-limits'], p.dir);
    expect(again.status).toBe(0);
  });

  it('--unsafe applies behaviour-changing fixes; --rule (repeatable) limits them', () => {
    const p = project({ 'stack.yml': STACK });
    const r = runCli(['fix', 'stack.yml', '--unsafe', '--rule', 'non-root-user', '--rule', 'cap-drop-all', '--stdout'], p.dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`# the shop
services:
  api:
    image: myorg/api:1 # backend
    cap_drop:
      - ALL
    user: '1000:1000'
  db:
    image: postgres:16
    cap_drop:
      - ALL
    cap_add:
      - CHOWN
      - DAC_OVERRIDE
      - FOWNER
      - SETGID
      - SETUID
    user: postgres
`);
    expect(r.stderr).toContain('[unsafe]');
  });

  it('--preset picks the sizing table', () => {
    const p = project({ 'stack.yml': 'services:\n  db:\n    image: postgres:16\n' });
    const r = runCli(['fix', 'stack.yml', '--preset', 'edge', '--rule', 'resource-limits', '--stdout'], p.dir);
    expect(r.stdout).toBe("services:\n  db:\n    image: postgres:16\n    deploy:\n      resources:\n        limits:\n          cpus: '1'\n          memory: 1G\n        reservations:\n          cpus: '0.2'\n          memory: 512M\n");
    const large = runCli(['fix', 'stack.yml', '--preset', 'large', '--rule', 'resource-limits', '--stdout'], p.dir);
    expect(large.stdout).toContain("cpus: '4'\n          memory: 8G");
  });

  it('one invalid file does not stop the others (exit 2 after fixing them)', () => {
    const bad = 'services:\n  api: [unclosed\n';
    const p = project({ 'a.yml': STACK, 'b.yml': bad, 'c.yml': STACK });
    const r = runCli(['fix', 'a.yml', 'b.yml', 'missing.yml', 'c.yml', '--rule', 'resource-limits'], p.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('missing.yml: cannot read file: no such file');
    expect(r.stdout).toMatch(/b\.yml: not fixed, the file does not parse/);
    expect(readFileSync(join(p.dir, 'a.yml.optimized'), 'utf8')).toBe(FIXED_API);
    expect(readFileSync(join(p.dir, 'c.yml.optimized'), 'utf8')).toBe(FIXED_API);
    expect(readFileSync(join(p.dir, 'b.yml.optimized'), 'utf8')).toBe(bad);
  });

  it('lines that end in a lone CR: linted, not fixed, and the summary says why (not a schema error of each fix)', () => {
    const cr = 'services:\r  api:\r    image: myorg/api:1\r';
    const p = project({ 'a.yml': cr });
    const r = runCli(['fix', 'a.yml', '--rule', 'resource-limits'], p.dir);
    expect(r.stdout).toContain("a.yml: not fixed, a.yml's lines end in a lone CR (old Mac line ends), which fixes cannot write; convert them to LF (or CR LF) first");
    expect(r.stdout).toMatch(/left\s+resource-limits\s+2:3\s+api: not fixed while its lines end in a lone CR: added limits/);
    expect(readFileSync(join(p.dir, 'a.yml.optimized'), 'utf8')).toBe(cr);
  });

  it('a duplicate key: the file is linted but not fixed, and the fixes it would get say why', () => {
    const dup = 'services:\n  api:\n    image: myorg/api:1\n    image: myorg/api:2\n';
    const p = project({ 'a.yml': dup });
    const r = runCli(['fix', 'a.yml', '--rule', 'resource-limits'], p.dir);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/a\.yml: not fixed, the file does not parse \(a\.yml:4:5: duplicate key "image" \(first at line 3\)/);
    expect(r.stdout).toMatch(/left\s+resource-limits\s+2:3\s+api: not fixed while the file does not parse: added limits/);
    expect(readFileSync(join(p.dir, 'a.yml.optimized'), 'utf8')).toBe(dup);
  });

  it('a result that cannot be written is reported, and the other files are still written', () => {
    const p = project({ 'a.yml': STACK, 'b.yml': STACK, 'b.yml.optimized/keep': 'a folder in the way\n' });
    const r = runCli(['fix', 'a.yml', 'b.yml', '--rule', 'resource-limits'], p.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stackopt: cannot write .*b\.yml\.optimized: is a directory\n$/);
    expect(readFileSync(join(p.dir, 'a.yml.optimized'), 'utf8')).toBe(FIXED_API);
    expect(readdirSync(p.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('-f files are one merged project: each file gets its .optimized', () => {
    const p = project({
      'compose.yaml': 'services:\n  api:\n    image: myorg/api:1\n',
      'compose.prod.yaml': 'services:\n  api:\n    deploy:\n      replicas: 3\n',
    });
    const r = runCli(['fix', '-f', 'compose.yaml', '-f', 'compose.prod.yaml', '--rule', 'resource-limits'], p.dir);
    expect(r.status).toBe(0);
    expect(optimizedFiles(p.dir)).toEqual(['compose.prod.yaml.optimized', 'compose.yaml.optimized']);
    expect(readFileSync(join(p.dir, 'compose.yaml.optimized'), 'utf8')).toBe('services:\n  api:\n    image: myorg/api:1\n');
    expect(readFileSync(join(p.dir, 'compose.prod.yaml.optimized'), 'utf8')).toContain('      replicas: 3\n      resources:\n        limits:\n');
  });

  it('usage errors exit 2 with one line', () => {
    const p = project({ 'stack.yml': STACK });
    const unknown = runCli(['fix', 'stack.yml', '--rule', 'resource-limit'], p.dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('stackopt: unknown rule "resource-limit"; did you mean "resource-limits"? (stackopt rules lists them)\n');
    const preset = runCli(['fix', 'stack.yml', '--preset', 'huge'], p.dir);
    expect(preset.status).toBe(2);
    expect(preset.stderr).toContain('unknown preset "huge"; choose one of edge, small, default, large');
    const both = runCli(['fix', 'stack.yml', '--diff', '--check'], p.dir);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--diff and --check cannot be combined');
    expect(optimizedFiles(p.dir)).toEqual([]);
    expect(existsSync(join(p.dir, 'stack.yml.optimized'))).toBe(false);
  });

  it('--help teaches: every flag, where it writes, the sizing presets, exit codes', () => {
    const r = runCli(['fix', '--help'], process.cwd());
    expect(r.status).toBe(0);
    for (const flag of ['-o, --output', '--stdout', '--in-place', '--diff', '--check', '--unsafe', '--rule', '--preset', '-f, --file', '--env-file']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('<file>.optimized');
    expect(r.stdout).toMatch(/edge\n +database +limits +1 CPUs +1G/);
    expect(r.stdout).toContain('Exit status');
  });
});
