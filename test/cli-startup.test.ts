/**
 * Start-up: the bundle is loaded with a V8 code cache. V8 rejects a cache made under other V8 flags,
 * so under NODE_OPTIONS (or node flags) the CLI keeps a cache of the user's own, per flags.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, repoRoot, runCli, tempProject } from './helpers/cli.js';

describe('code cache under node flags', () => {
  const p = tempProject({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n' });
  const cacheHome = join(p.dir, 'cache');
  const env = { NODE_OPTIONS: '--max-old-space-size=4096', XDG_CACHE_HOME: cacheHome };
  const cacheFiles = () => readdirSync(join(cacheHome, 'stackopt')).filter((f) => f.endsWith('.cache'));

  beforeAll(() => assertBuilt());
  afterAll(() => p.cleanup());

  it('the bundle is ASCII (V8 keeps it as a one-byte string; bin/stackopt.js reads it as Latin-1)', () => {
    const bytes = readFileSync(join(repoRoot, 'dist', 'bundle', 'stackopt.cjs'));
    expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
  });

  it('records a cache of its own on the first run under the flags, private to the user, and uses it on the next', () => {
    const first = runCli(['lint', 'compose.yaml'], p.dir, env);
    expect(first.stderr).toBe('');
    expect([0, 1]).toContain(first.status);
    const [file] = cacheFiles();
    expect(cacheFiles()).toHaveLength(1);
    const path = join(cacheHome, 'stackopt', file!);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(cacheHome, 'stackopt')).mode & 0o777).toBe(0o700);
    const written = statSync(path).mtimeMs;
    // accepted by V8: the second run does not write it again
    const second = runCli(['lint', 'compose.yaml'], p.dir, env);
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(path).mtimeMs).toBe(written);
    expect(cacheFiles()).toHaveLength(1);
  });

  /** Lints `file` of `files` twice under the flags: the caches the first run keeps (named by `expected`) are accepted by the second. */
  const expectOwnCaches = (files: Record<string, string>, file: string, expected: RegExp[]) => {
    const q = tempProject(files);
    try {
      const home = join(q.dir, 'cache');
      const qenv = { ...env, XDG_CACHE_HOME: home };
      const first = runCli(['lint', file], q.dir, qenv);
      expect(first.stderr).toBe('');
      const kept = readdirSync(join(home, 'stackopt')).sort();
      expect(kept).toEqual(expected.map((e) => expect.stringMatching(e)));
      const mtimes = kept.map((f) => statSync(join(home, 'stackopt', f)).mtimeMs);
      // all accepted by V8: the second run writes none again
      const second = runCli(['lint', file], q.dir, qenv);
      expect(second.stdout).toBe(first.stdout);
      expect(readdirSync(join(home, 'stackopt')).sort()).toEqual(kept);
      expect(kept.map((f) => statSync(join(home, 'stackopt', f)).mtimeMs)).toEqual(mtimes);
    } finally {
      q.cleanup();
    }
  };

  it('an older stack schema validator, loaded beside the bundle, keeps a cache of its own under the flags too', () => {
    expectOwnCaches({ 'stack.yml': 'version: "3.8"\nservices:\n  web:\n    image: nginx:1.27\n' }, 'stack.yml', [/^config_schema_v3\.8-[0-9a-f]{8}\.cache$/, /^lint-[0-9a-f]{8}\.cache$/]);
  });

  it('a file loaded beside the bundle (yaml, for a file the fast reader leaves to it) keeps a cache of its own under the flags too', () => {
    expectOwnCaches({ 'crlf.yaml': 'services:\r\n  web:\r\n    image: nginx:1.27\r\n' }, 'crlf.yaml', [/^lint-[0-9a-f]{8}\.cache$/, /^yaml-[0-9a-f]{8}\.cache$/]);
  });

  it('lint runs the lint bundle (lint.cjs), other commands the bundle of every command, each with its own cache', () => {
    const q = tempProject({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n' });
    try {
      const home = join(q.dir, 'cache');
      const qenv = { ...env, XDG_CACHE_HOME: home };
      const cached = () => readdirSync(join(home, 'stackopt')).map((f) => f.replace(/-[0-9a-f]{8}\.cache$/, '')).sort();
      expect(runCli(['--debug', 'lint', 'compose.yaml'], q.dir, qenv).stderr).toBe('');
      // (an option: the lint bundle loads commander from beside it, which keeps a cache of its own)
      expect(cached()).toEqual(['commander', 'lint']);
      expect(runCli(['fix', '--check', 'compose.yaml'], q.dir, qenv).stderr).toBe('');
      // (fix also loads yaml from beside the bundle, which keeps a cache of its own)
      expect(cached().filter((n) => n !== 'yaml')).toEqual(['bundle', 'commander', 'lint']);
    } finally {
      q.cleanup();
    }
  });

  it('other flags get a cache of their own', () => {
    runCli(['lint', 'compose.yaml'], p.dir, { ...env, NODE_OPTIONS: '--max-old-space-size=2048' });
    expect(cacheFiles()).toHaveLength(2);
  });

  it('a cache that others may write is not read, and is replaced by the user\'s own', () => {
    for (const f of cacheFiles()) {
      const path = join(cacheHome, 'stackopt', f);
      writeFileSync(path, 'not a code cache');
      chmodSync(path, 0o666);
    }
    const r = runCli(['lint', 'compose.yaml'], p.dir, env);
    expect(r.stderr).toBe('');
    const replaced = cacheFiles().map((f) => statSync(join(cacheHome, 'stackopt', f))).filter((st) => (st.mode & 0o777) === 0o600);
    expect(replaced.length).toBeGreaterThanOrEqual(1);
  });

  it('a cache file far larger than any cache (another user\'s plant, a sparse file) is not read: no error, replaced', () => {
    for (const f of cacheFiles()) {
      const path = join(cacheHome, 'stackopt', f);
      rmSync(path);
      closeSync(openSync(path, 'w', 0o600));
      truncateSync(path, 9 * 1024 ** 3);
    }
    const r = runCli(['lint', 'compose.yaml'], p.dir, env);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.status);
    // the one the run uses is replaced by a cache of its own; none is read (a read of 9 GiB would take far longer and fail)
    const sizes = cacheFiles().map((f) => statSync(join(cacheHome, 'stackopt', f)).size);
    expect(sizes.filter((size) => size < 64 * 1024 ** 2)).toHaveLength(1);
  });

  // V8 11's release build checks only a cache's header: a cache damaged beyond it stopped node at
  // every run (a fatal error with a native stack, exit 133) before a new one could be made
  it.runIf(process.versions.v8.startsWith('11.'))('a cache damaged beyond its header is rejected (its checksum is checked): the lint runs, and the cache is made again', () => {
    const first = runCli(['lint', 'compose.yaml'], p.dir, env);
    // (not the sparse 9 GiB ones of the test above, which are never read)
    const small = () => cacheFiles().filter((f) => statSync(join(cacheHome, 'stackopt', f)).size < 64 * 1024 ** 2);
    for (const f of small()) {
      const path = join(cacheHome, 'stackopt', f);
      const bytes = readFileSync(path);
      for (let i = 1000; i < bytes.length; i += 97) bytes[i]! ^= 0x5a;
      writeFileSync(path, bytes);
    }
    const damaged = small().map((f) => readFileSync(join(cacheHome, 'stackopt', f)));
    const r = runCli(['lint', 'compose.yaml'], p.dir, env);
    expect([r.status, r.stderr, r.stdout]).toEqual([first.status, '', first.stdout]);
    // the one the run read is made again
    const now = small().map((f) => readFileSync(join(cacheHome, 'stackopt', f)));
    expect(now.filter((b, i) => !b.equals(damaged[i]!)).length).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(process.platform === 'win32')('a FIFO at a cache\'s name is not waited on: the lint runs', () => {
    const first = runCli(['lint', 'compose.yaml'], p.dir, env);
    for (const f of cacheFiles()) {
      const path = join(cacheHome, 'stackopt', f);
      rmSync(path);
      execFileSync('mkfifo', ['-m', '600', path]);
    }
    // an open without O_NONBLOCK waits for a writer that never comes (runCli's time limit then fails it)
    const r = runCli(['lint', 'compose.yaml'], p.dir, env);
    expect([r.status, r.stderr, r.stdout]).toEqual([first.status, '', first.stdout]);
    for (const f of cacheFiles()) rmSync(join(cacheHome, 'stackopt', f));
  });

  it('an unwritable cache folder costs only speed', () => {
    const blocked = join(p.dir, 'blocked');
    writeFileSync(blocked, 'a file where the cache folder would be');
    const r = runCli(['lint', 'compose.yaml'], p.dir, { ...env, XDG_CACHE_HOME: blocked });
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.status);
  });
});

describe('what a plain lint loads', () => {
  const p = tempProject({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n' });
  beforeAll(() => assertBuilt());
  afterAll(() => p.cleanup());

  it('none of node\'s modules for processes, networks, hashing or terminals, and not the ES module loader', () => {
    // node's list of the modules it loaded and the files read whole (the files beside the bundle are
    // compiled as they are read, not required), written as the process exits; the report goes to a
    // file (a pipe would be a socket, and load node:net to write it)
    p.write(
      'list-modules.cjs',
      "const fs = require('node:fs');\nconst read = [];\nconst readFileSync = fs.readFileSync;\nfs.readFileSync = (f, ...a) => (read.push(String(f)), readFileSync(f, ...a));\n" +
        "process.on('exit', () => fs.writeFileSync(process.env.MODULE_LIST, [...process.moduleLoadList, ...Object.keys(require.cache), ...read].join('\\n')));\n",
    );
    const list = join(p.dir, 'modules.txt');
    const out = openSync(join(p.dir, 'report.txt'), 'w');
    const r = spawnSync(process.execPath, ['-r', './list-modules.cjs', join(repoRoot, 'bin', 'stackopt.js'), 'lint', 'compose.yaml'], {
      cwd: p.dir,
      stdio: ['ignore', out, 'pipe'],
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', MODULE_LIST: list, XDG_CACHE_HOME: join(p.dir, 'cache') },
      encoding: 'utf8',
      timeout: 300_000,
    });
    closeSync(out);
    expect(r.stderr).toBe('');
    expect(readFileSync(join(p.dir, 'report.txt'), 'utf8')).toContain('compose.yaml');
    const loaded = readFileSync(list, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule vm');
    // (and, the report going to a file, which the CLI writes without process.stdout, no stream module)
    const unused = ['child_process', 'crypto', 'http', 'net', 'tty', 'dgram', 'os', 'internal/modules/esm/module_job', 'stream', 'v8'];
    expect(unused.filter((m) => loaded.includes(`NativeModule ${m}`))).toEqual([]);
    // the files beside the bundle that only other commands (or a configuration file) need
    expect(loaded.filter((f) => /[\\/]dist[\\/]bundle[\\/][^\\/]+\.cjs$/.test(f))).toEqual([]);
    expect(['config-validator.cjs', 'execa.cjs', 'diff.cjs', 'yaml.cjs', 'commander.cjs', 'chalk.cjs'].filter((f) => !existsSync(join(repoRoot, 'dist', 'bundle', f)))).toEqual([]);
  });

  it('a file the fast reader leaves to yaml (CR LF line ends), which loads yaml from beside the bundle, is reported as its LF copy is', () => {
    p.write('crlf.yaml', 'services:\r\n  web:\r\n    image: nginx:1.27\r\n');
    p.write('lf.yaml', 'services:\n  web:\n    image: nginx:1.27\n');
    const crlf = runCli(['lint', '--no-color', 'crlf.yaml'], p.dir);
    const lf = runCli(['lint', '--no-color', 'lf.yaml'], p.dir);
    expect(crlf.stderr).toBe('');
    expect(crlf.status).toBe(lf.status);
    expect(crlf.stdout.replaceAll('crlf.yaml', 'lf.yaml')).toBe(lf.stdout);
    // yaml is read from beside the bundle (its code cache is the user's here: `-r` is a node flag)
    const out = openSync(join(p.dir, 'report-crlf.txt'), 'w');
    const list = join(p.dir, 'modules-crlf.txt');
    spawnSync(process.execPath, ['-r', './list-modules.cjs', join(repoRoot, 'bin', 'stackopt.js'), 'lint', 'crlf.yaml'], {
      cwd: p.dir,
      stdio: ['ignore', out, 'pipe'],
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', MODULE_LIST: list, XDG_CACHE_HOME: join(p.dir, 'cache') },
      timeout: 300_000,
    });
    closeSync(out);
    const read = readFileSync(list, 'utf8').split('\n').filter((f) => /[\\/]dist[\\/]bundle[\\/][^\\/]+\.cjs$/.test(f));
    expect(read).toEqual([join(repoRoot, 'dist', 'bundle', 'yaml.cjs')]);
  });

  it('commander is read from beside the lint bundle only when argv has an option, chalk only for colour', () => {
    /** the files beside the bundle that `lint ...args` reads */
    const beside = (name: string, args: string[]) => {
      const out = openSync(join(p.dir, `report-${name}.txt`), 'w');
      const list = join(p.dir, `modules-${name}.txt`);
      spawnSync(process.execPath, ['-r', './list-modules.cjs', join(repoRoot, 'bin', 'stackopt.js'), 'lint', ...args], {
        cwd: p.dir,
        stdio: ['ignore', out, 'pipe'],
        env: { PATH: process.env.PATH ?? '', MODULE_LIST: list, XDG_CACHE_HOME: join(p.dir, 'cache') },
        timeout: 300_000,
      });
      closeSync(out);
      return readFileSync(list, 'utf8')
        .split('\n')
        .filter((f) => /[\\/]dist[\\/]bundle[\\/][^\\/]+\.cjs$/.test(f))
        .map((f) => f.replace(/.*[\\/]/, ''));
    };
    expect(beside('operands', ['lf.yaml', 'compose.yaml'])).toEqual([]);
    expect(beside('option', ['--no-color', 'lf.yaml'])).toEqual(['commander.cjs']);
    expect(beside('color', ['--color', 'lf.yaml'])).toEqual(['commander.cjs', 'chalk.cjs']);
    expect(readFileSync(join(p.dir, 'report-color.txt'), 'utf8')).toContain('\u001b[');
  });

  it('the build records a code cache for the bundles and the files beside them that a lint may load, and V8 accepts each under the flags bin/stackopt.js sets', () => {
    const flags = /const V8_FLAGS = '([^']*)'/.exec(readFileSync(join(repoRoot, 'bin', 'stackopt.js'), 'utf8'))?.[1];
    expect(flags).toMatch(/^--/);
    const check = [
      // bin sets them on V8 11 (node 20) only; elsewhere the build's caches are made without them
      `if (process.versions.v8.startsWith('11.')) require('node:v8').setFlagsFromString(${JSON.stringify(flags)});`,
      "const { readFileSync } = require('node:fs');",
      "const vm = require('node:vm');",
      `for (const f of ${JSON.stringify(['lint', 'stackopt', 'yaml', 'config-validator', 'commander', 'chalk'].map((n) => join(repoRoot, 'dist', 'bundle', `${n}.cjs`)))}) {`,
      "  const s = new vm.Script(readFileSync(f, 'latin1'), { filename: f, cachedData: readFileSync(f + '.cache') });",
      "  console.log(f.replace(/.*[\\\\/]/, '') + (s.cachedDataRejected ? ' rejected' : ' accepted'));",
      '}',
      // an older stack validator (one function expression too: src/engine/swarm-schema.ts)
      `const v = ${JSON.stringify(join(repoRoot, 'dist', 'stack-validators', 'config_schema_v3.8.cjs'))};`,
      "const w = new vm.Script(readFileSync(v, 'latin1'), { filename: v, cachedData: readFileSync(v + '.cache') });",
      "console.log('config_schema_v3.8.cjs' + (w.cachedDataRejected ? ' rejected' : ' accepted'));",
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8', timeout: 300_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['lint.cjs accepted', 'stackopt.cjs accepted', 'yaml.cjs accepted', 'config-validator.cjs accepted', 'commander.cjs accepted', 'chalk.cjs accepted', 'config_schema_v3.8.cjs accepted']);
  });
});

describe('a file beside the bundle that is missing', () => {
  const p = tempProject({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n', '.stackopt.yaml': 'rules: {}\n' });
  beforeAll(() => assertBuilt());
  afterAll(() => p.cleanup());

  /** `stackopt lint [options] compose.yaml` in the project (or `cwd`), run by the copy of the CLI at `pkg`. */
  const lintWith = (pkg: string, cwd = p.dir, options: string[] = []) =>
    spawnSync(process.execPath, [join(pkg, 'bin', 'stackopt.js'), 'lint', ...options, 'compose.yaml'], {
      cwd,
      // NO_COLOR would keep --color from loading chalk
      env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: join(p.dir, 'cache') },
      encoding: 'utf8',
      timeout: 300_000,
    });

  /** A copy of the installed CLI (bin and package.json) at `name`: with the built bundles, or an empty dist/bundle to write into. */
  const copyCli = (name: string, withBundles: boolean): string => {
    const pkg = join(p.dir, name);
    cpSync(join(repoRoot, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
    if (withBundles) cpSync(join(repoRoot, 'dist', 'bundle'), join(pkg, 'dist', 'bundle'), { recursive: true });
    else mkdirSync(join(pkg, 'dist', 'bundle'), { recursive: true });
    return pkg;
  };

  it('is one line that names it, exit 3, not node\'s error with its require stack, nor an internal error to report', () => {
    // a copy of the installed CLI without the configuration validator
    const pkg = copyCli('pkg', true);
    rmSync(join(pkg, 'dist', 'bundle', 'config-validator.cjs'));
    const r = lintWith(pkg);
    expect(r.status).toBe(3);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `stackopt: stackopt is not fully installed: ${join(pkg, 'dist', 'bundle', 'config-validator.cjs')} is missing; reinstall it, or run \`npm run build\` in its folder`,
    ]);
  });

  it('the same for chalk under --color and for an older stack schema validator', () => {
    const pkg = copyCli('pkg-no-chalk', true);
    rmSync(join(pkg, 'dist', 'bundle', 'chalk.cjs'));
    const colored = lintWith(pkg, p.dir, ['--color']);
    expect([colored.status, colored.stderr]).toEqual([3, `stackopt: stackopt is not fully installed: ${join(pkg, 'dist', 'bundle', 'chalk.cjs')} is missing; reinstall it, or run \`npm run build\` in its folder\n`]);
    // the validators of older stack schemas are read from dist/stack-validators beside dist/bundle
    const older = copyCli('pkg-no-validator', true);
    cpSync(join(repoRoot, 'dist', 'stack-validators'), join(older, 'dist', 'stack-validators'), { recursive: true });
    rmSync(join(older, 'dist', 'stack-validators', 'config_schema_v3.8.cjs'));
    const project = join(p.dir, 'stack-3.8');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'compose.yaml'), 'version: "3.8"\nservices:\n  web:\n    image: nginx:1.27\n');
    // a swarm stack is checked against the stack schema of its version
    const r = lintWith(older, project, ['--target', 'swarm']);
    expect([r.status, r.stderr]).toEqual([3, `stackopt: stackopt is not fully installed: ${join(older, 'dist', 'stack-validators', 'config_schema_v3.8.cjs')} is missing; reinstall it, or run \`npm run build\` in its folder\n`]);
  });

  it('a bundle older than bin/stackopt.js (a pull without a rebuild: a function bin calls is missing) is one line, exit 3', () => {
    const pkg = copyCli('pkg-old', false);
    // one function expression of the CommonJS arguments, as the build writes it, without saveCodeCaches
    writeFileSync(join(pkg, 'dist', 'bundle', 'lint.cjs'), '(function (exports) { exports.run = async () => 0; exports.observeInputSizes = () => {}; exports.useCodeCache = () => {}; })');
    const r = lintWith(pkg);
    expect([r.status, r.stderr]).toEqual([3, 'stackopt: dist/bundle/lint.cjs is older than bin/stackopt.js; run `npm run build` in its folder\n']);
  });

  it('a bundle cut short or overwritten is one line, exit 3, not its error with a stack', () => {
    for (const [name, text] of [['pkg-garbage', 'garbage'], ['pkg-cut', readFileSync(join(repoRoot, 'dist', 'bundle', 'lint.cjs'), 'latin1').slice(0, 5000)]] as const) {
      const pkg = copyCli(name, false);
      writeFileSync(join(pkg, 'dist', 'bundle', 'lint.cjs'), text, 'latin1');
      const r = lintWith(pkg);
      expect(r.status, name).toBe(3);
      expect(r.stderr, name).toMatch(/^stackopt: dist\/bundle\/lint\.cjs is damaged \(.+\); run `npm run build` in its folder\n$/);
    }
  });

  it('without commander beside the lint bundle, a lint without options still says its own error (it does not load commander)', () => {
    const pkg = copyCli('pkg-no-commander', true);
    rmSync(join(pkg, 'dist', 'bundle', 'commander.cjs'));
    const project = join(p.dir, 'with-baseline');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n');
    writeFileSync(join(project, '.stackopt.yaml'), 'baseline: nope.json\n');
    const r = lintWith(pkg, project);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stackopt: cannot read baseline nope\.json/);
    expect(r.stderr).not.toContain('commander');
  });

  it('a bundle that cannot be read (a folder in its place) is one line, exit 3', () => {
    const pkg = copyCli('pkg-unreadable', false);
    mkdirSync(join(pkg, 'dist', 'bundle', 'lint.cjs'));
    const r = lintWith(pkg);
    expect(r.status).toBe(3);
    expect(r.stderr.trimEnd().split('\n')).toEqual(['stackopt: cannot read dist/bundle/lint.cjs: it is a folder; run `npm run build` in its folder']);
  });
});

describe('the end of a run', () => {
  const p = tempProject({});
  beforeAll(() => assertBuilt());
  afterAll(() => p.cleanup());

  /** A copy of bin/ whose bundles (lint.cjs and stackopt.cjs) are `source` (one function expression of the CommonJS arguments). */
  const withBundle = (name: string, source: string) => {
    const pkg = join(p.dir, name);
    cpSync(join(repoRoot, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
    mkdirSync(join(pkg, 'dist', 'bundle'), { recursive: true });
    for (const bundle of ['lint.cjs', 'stackopt.cjs']) writeFileSync(join(pkg, 'dist', 'bundle', bundle), `(function (exports, require) { exports.observeInputSizes = () => {}; exports.useCodeCache = () => {}; exports.saveCodeCaches = () => {}; exports.describeOutputError = (e) => e.message; exports.writeFully = (fd, text) => require('node:fs').writeSync(fd, text); ${source} })`);
    return (args: string[] = ['lint']) =>
      spawnSync(process.execPath, [join(pkg, 'bin', 'stackopt.js'), ...args], {
        cwd: p.dir,
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', XDG_CACHE_HOME: join(p.dir, 'cache') },
        encoding: 'utf8',
        timeout: 300_000,
      });
  };

  it('the process ends when the lint returns, with its exit code, and exit handlers run', () => {
    // a timer still pending would keep node running for a minute; the lint's work is done
    const lint = withBundle('pkg-timer', "exports.run = async () => { process.stdout.write('report\\n'); setTimeout(() => process.stdout.write('late\\n'), 60_000); process.on('exit', () => process.stdout.write('exit handler\\n')); return 1; };");
    const started = Date.now();
    const r = lint();
    expect([r.status, r.stdout, r.stderr]).toEqual([1, 'report\nexit handler\n', '']);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('so does every other command but those that talk to other processes (audit, usage, lsp), which end as node ends them', () => {
    const lint = withBundle('pkg-commands', "exports.run = async () => { process.stdout.write('report\\n'); setTimeout(() => process.stdout.write('late\\n'), 200); return 0; };");
    for (const command of ['fix', 'resources', 'rules', 'init']) expect([command, lint([command]).stdout]).toEqual([command, 'report\n']);
    for (const command of ['audit', 'usage', 'lsp']) expect([command, lint([command]).stdout]).toEqual([command, 'report\nlate\n']);
  });

  it('output still queued when the lint returns is written before the process ends', () => {
    // corked output: the stream holds it until the next turn of the event loop
    const lint = withBundle('pkg-queued', "exports.run = async () => { process.stdout.cork(); process.stdout.write('queued\\n'); setImmediate(() => process.stdout.uncork()); return 1; };");
    const r = lint();
    expect([r.status, r.stdout, r.stderr]).toEqual([1, 'queued\n', '']);
  });

  it('a report larger than a pipe holds, read slowly, arrives whole', () => {
    // 200 files with findings: a report of about 400 KB through a pipe whose reader waits first
    for (let i = 0; i < 200; i++) p.write(join('many', `docker-compose.${String(i).padStart(4, '0')}.yml`), `services:\n  web${i}:\n    image: nginx\n    privileged: true\n`);
    const bin = join(repoRoot, 'bin', 'stackopt.js');
    const env = { PATH: process.env.PATH ?? '', NO_COLOR: '1', XDG_CACHE_HOME: join(p.dir, 'cache') };
    const direct = spawnSync(process.execPath, [bin, 'lint', 'many'], { cwd: p.dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    expect(direct.status).toBe(1);
    expect(direct.stdout.length).toBeGreaterThan(256 * 1024);
    const slow = spawnSync('sh', ['-c', `"$0" "$1" lint many | { sleep 1; cat; }`, process.execPath, bin], { cwd: p.dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    expect(slow.stdout).toBe(direct.stdout);
  });
});

describe('a lint report to a file or /dev/null', () => {
  // a service with findings, repeated: a report of many lines, written in several pieces
  const services = Array.from({ length: 400 }, (_, i) => `  web${i}:\n    image: nginx:latest\n    privileged: true\n`).join('');
  const p = tempProject({ 'compose.yaml': `services:\n${services}` });
  beforeAll(() => assertBuilt());
  afterAll(() => p.cleanup());

  /** `stackopt lint ...args` with standard output to `out` (a path opened for writing, a pipe, or /dev/null: `ignore`). */
  const lintTo = (out: string | 'pipe' | 'ignore', args: string[], env: Record<string, string> = {}) => {
    const fd = out === 'pipe' || out === 'ignore' ? out : openSync(out, 'w');
    try {
      const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'stackopt.js'), 'lint', ...args], {
        cwd: p.dir,
        stdio: ['ignore', fd, 'pipe'],
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', XDG_CACHE_HOME: join(p.dir, 'cache'), ...env },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      });
      return { status: r.status, stdout: out === 'pipe' ? r.stdout : out === 'ignore' ? '' : readFileSync(out, 'utf8'), stderr: r.stderr };
    } finally {
      if (typeof fd === 'number') closeSync(fd);
    }
  };

  it('is the report a pipe gets, with the same status (and the same status to /dev/null)', () => {
    for (const [args, env] of [[['compose.yaml'], {}], [['compose.yaml'], { NO_COLOR: '', FORCE_COLOR: '1' }], [['--format', 'json', 'compose.yaml'], {}], [['missing.yaml'], {}]] as const) {
      const piped = lintTo('pipe', [...args], env);
      const filed = lintTo(join(p.dir, 'report.txt'), [...args], env);
      expect(filed).toEqual(piped);
      expect(lintTo('ignore', [...args], env).status).toBe(piped.status);
    }
    expect(lintTo('pipe', ['compose.yaml']).stdout.length).toBeGreaterThan(200_000);
  });

  it('a write that fails is one line and exit 2, after what the lint said on standard error, as through node\'s stream', () => {
    writeFileSync(join(p.dir, 'read-only.txt'), '');
    for (const [args, lines] of [
      [['compose.yaml'], []],
      [['compose.yaml', 'missing.yaml'], ['stackopt: missing.yaml: cannot read file: no such file']],
      [['--format', 'json', 'compose.yaml'], []],
    ] as const) {
      // standard output open for reading only: every write fails (EBADF)
      const fd = openSync(join(p.dir, 'read-only.txt'), 'r');
      try {
        const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'stackopt.js'), 'lint', ...args], { cwd: p.dir, stdio: ['ignore', fd, 'pipe'], env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, encoding: 'utf8', timeout: 300_000 });
        expect([r.status, r.stderr]).toEqual([2, [...lines, 'stackopt: cannot write output: EBADF: bad file descriptor, write', ''].join('\n')]);
      } finally {
        closeSync(fd);
      }
    }
  });

  it('sets its V8 flags without a word on standard error, whatever node is told of deprecations', () => {
    const plain = lintTo(join(p.dir, 'report.txt'), ['compose.yaml']);
    for (const options of ['--no-deprecation', '--throw-deprecation', '--pending-deprecation', '--trace-deprecation', '--no-deprecation --throw-deprecation']) {
      expect(lintTo(join(p.dir, 'report.txt'), ['compose.yaml'], { NODE_OPTIONS: options })).toEqual(plain);
    }
  });
});
