/**
 * The programmatic API (docs/api.md): `lint(text, options)`, `fix`, `ruleDocs`, from the source, and
 * the built package entry (`import { lint } from 'stackopt'`, with its declarations) as a user's
 * project resolves it through package.json `exports`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fix, lint, ruleDocs, StackoptInputError } from '../src/api/index.js';
import { applyEdits } from '../src/fix/apply-edits.js';
import { assertBuilt, repoRoot, runAsync, tempProject } from './helpers/cli.js';

const TEXT = 'services:\n  web:\n    image: nginx:${TAG}\n    privileged: true\n';

describe('lint(text, options)', () => {
  const p = tempProject({
    'svc/compose.yaml': 'services:\n  other:\n    image: redis:7.2\n',
    'svc/.stackopt.yaml': 'rules:\n  resource-limits: off\n',
    'svc/.env': 'TAG=1.27\n',
    'svc/base.yaml': 'services:\n  base:\n    image: redis:7.2\n    privileged: true\n',
    'bad/.stackopt.yaml': 'rules:\n  no-such-rule: off\n',
  });
  afterAll(() => p.cleanup());

  it('lints the text as filePath: its configuration and .env; positions and offsets into the text', () => {
    const r = lint(TEXT, { filePath: join(p.dir, 'svc/compose.yaml') });
    expect(r.configFile).toMatch(/svc\/\.stackopt\.yaml$/);
    expect(r.parsed).toBe(true);
    expect(r.target.target).toBe('compose');
    const ids = r.findings.map((f) => f.ruleId);
    expect(ids).not.toContain('resource-limits');
    expect(ids).not.toContain('interpolation');
    // the text, not the file on disk (which defines "other")
    expect(r.findings.every((f) => f.service === 'web')).toBe(true);
    const priv = r.findings.find((f) => f.ruleId === 'no-privileged')!;
    expect(priv).toMatchObject({ line: 4, column: 17, endLine: 4, endColumn: 21, inText: true, severity: 'error' });
    expect(TEXT.slice(priv.start, priv.end)).toBe('true');
    expect(priv.docsUrl).toMatch(/rules\/no-privileged\/README\.md$/);
  });

  it('a finding\'s fix is a list of edits into the text; applied, its finding is gone', () => {
    const r = lint(TEXT, { filePath: join(p.dir, 'svc/compose.yaml') });
    const nnp = r.findings.find((f) => f.ruleId === 'no-new-privileges')!;
    expect(nnp.fix).toMatchObject({ unsafe: false, description: 'added no-new-privileges:true to security_opt' });
    const fixed = applyEdits(TEXT, nnp.fix!.edits);
    expect(fixed).toBe(`${TEXT}    security_opt:\n      - no-new-privileges:true\n`);
    const again = lint(fixed, { filePath: join(p.dir, 'svc/compose.yaml') });
    expect(again.findings.map((f) => f.ruleId)).not.toContain('no-new-privileges');
    // an unsafe fix says so
    expect(r.findings.find((f) => f.ruleId === 'non-root-user')!.fix).toMatchObject({ unsafe: true });
    // without fixes: none computed, fixable still said
    const bare = lint(TEXT, { filePath: join(p.dir, 'svc/compose.yaml'), fixes: false });
    expect(bare.findings.find((f) => f.ruleId === 'no-new-privileges')).toMatchObject({ fixable: true, fix: null });
  });

  it('offsets count a byte order mark at the start of the text', () => {
    const withBom = `\uFEFF${TEXT}`;
    const r = lint(withBom, { filePath: join(p.dir, 'svc/compose.yaml') });
    const priv = r.findings.find((f) => f.ruleId === 'no-privileged')!;
    expect(withBom.slice(priv.start, priv.end)).toBe('true');
    const nnp = r.findings.find((f) => f.ruleId === 'no-new-privileges')!;
    expect(applyEdits(withBom, nnp.fix!.edits)).toBe(`\uFEFF${TEXT}    security_opt:\n      - no-new-privileges:true\n`);
  });

  it('findings in files the text points at are marked, and carry no fix into the text', () => {
    const text = 'services:\n  web:\n    extends: {file: base.yaml, service: base}\n';
    const r = lint(text, { filePath: join(p.dir, 'svc/compose.yaml') });
    const priv = r.findings.find((f) => f.ruleId === 'no-privileged')!;
    expect(priv).toMatchObject({ inText: false, start: -1, end: -1, line: 4, column: 17 });
    expect(priv.file).toMatch(/svc\/base\.yaml$/);
  });

  it('config: false uses the defaults; a text that does not parse is findings, not an error', () => {
    const r = lint('services:\n  web: [\n', { filePath: join(p.dir, 'svc/compose.yaml'), config: false });
    expect(r.configFile).toBeNull();
    expect(r.parsed).toBe(false);
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: 'yaml-syntax', severity: 'error', line: 2, column: 8 })]);
  });

  it('an invalid configuration throws StackoptInputError with file:line:col', () => {
    let err: unknown;
    try {
      lint(TEXT, { filePath: join(p.dir, 'bad/compose.yaml') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StackoptInputError);
    const e = err as StackoptInputError;
    expect(e.file).toMatch(/bad\/\.stackopt\.yaml$/);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatch(/bad\/\.stackopt\.yaml:2:3: .*no-such-rule/);
  });

  it('the target follows the name, as for a file', () => {
    expect(lint(TEXT, { filePath: join(p.dir, 'app-stack.yml'), config: false }).target).toEqual({ target: 'swarm', reason: 'the file name "app-stack.yml" says stack' });
  });
});

describe('the configuration is found and refused as `stackopt lint` finds and refuses it', () => {
  const SECRET = 'aws_secret_access_key_0451';
  const outside = tempProject({ 'secret-compose.yaml': `services:\n  base:\n    image: nginx:1.27\n    privileged: true\n`, 'creds.yaml': `${SECRET}: 1\n` });
  const repo = tempProject({ '.git/HEAD': 'ref: refs/heads/main\n', '.stackopt.yaml': `allowPaths: [${JSON.stringify(outside.dir)}]\n` });
  afterAll(() => {
    outside.cleanup();
    repo.cleanup();
  });
  const EXTENDS = `services:\n  web:\n    image: nginx:1.27\n    extends: {file: ${JSON.stringify(join(outside.dir, 'secret-compose.yaml'))}, service: base}\n`;
  const thrown = (f: () => unknown): StackoptInputError => {
    try {
      f();
    } catch (e) {
      if (e instanceof StackoptInputError) return e;
      throw e;
    }
    throw new Error('no StackoptInputError');
  };

  it('allowPaths outside the repository: an error, and the file outside is not read; given as `config`, read as --config reads it', () => {
    const e = thrown(() => lint(EXTENDS, { filePath: join(repo.dir, 'compose.yaml') }));
    expect(e.message).toBe(`${join(repo.dir, '.stackopt.yaml')}: allowPaths names ${outside.dir}, which is outside its repository; a configuration found in a folder may allow only paths of its repository (name it with --config to allow more)`);
    expect(thrown(() => fix(EXTENDS, { filePath: join(repo.dir, 'compose.yaml') })).message).toBe(e.message);
    const named = lint(EXTENDS, { filePath: join(repo.dir, 'compose.yaml'), config: join(repo.dir, '.stackopt.yaml') });
    expect(named.findings.find((f) => f.ruleId === 'no-privileged')).toMatchObject({ inText: false });
  });

  it('a configuration that links out of its repository is not read, nor quoted', () => {
    mkdirSync(join(repo.dir, 'app'));
    symlinkSync(join(outside.dir, 'creds.yaml'), join(repo.dir, 'app', '.stackopt.yaml'));
    const e = thrown(() => lint(TEXT, { filePath: join(repo.dir, 'app', 'compose.yaml') }));
    expect(e.message).toBe(`${join(repo.dir, 'app', '.stackopt.yaml')}: it is a link to a file outside its repository, which a configuration found in a folder is not read from; make it a file of its own there, or name it with --config`);
    expect(e.problems.join('\n')).not.toContain(SECRET);
  });

  it('a configuration that is a link to a missing file is an error, not skipped for the one further up', () => {
    const p = tempProject({ '.stackopt.yaml': 'rules: {}\n' });
    try {
      mkdirSync(join(p.dir, 'app'));
      symlinkSync('gone.yaml', join(p.dir, 'app', '.stackopt.yaml'));
      const e = thrown(() => lint(TEXT, { filePath: join(p.dir, 'app', 'compose.yaml') }));
      expect(e.message).toBe(`${join(p.dir, 'app', '.stackopt.yaml')}: it is a link to a missing file; a configuration found in a folder is read only from a regular file`);
      expect(thrown(() => fix(TEXT, { filePath: join(p.dir, 'app', 'compose.yaml') })).message).toBe(e.message);
    } finally {
      p.cleanup();
    }
  });

  it('a configuration another user left in a folder anyone may write to is not applied', () => {
    const p = tempProject({ 'shared/.stackopt.yaml': 'rules:\n  no-privileged: off\n' });
    try {
      chmodSync(join(p.dir, 'shared'), 0o1777);
      chownSync(join(p.dir, 'shared', '.stackopt.yaml'), 4242, 4242);
      const e = thrown(() => lint(TEXT, { filePath: join(p.dir, 'shared', 'compose.yaml') }));
      expect(e.message).toBe(`${join(p.dir, 'shared', '.stackopt.yaml')}: another user (uid 4242) owns it, in a folder anyone may write to; a configuration found there is not read: name it with --config to use it`);
    } finally {
      p.cleanup();
    }
  });
});

describe('fix(text, options)', () => {
  const p = tempProject({ '.stackopt.yaml': 'rules:\n  resource-limits: off\n  critical-single-replica: off\n' });
  afterAll(() => p.cleanup());

  it('fixes as `stackopt fix` does: safe fixes, the rest left with the fixed text\'s positions', () => {
    const r = fix('services:\n  web:\n    image: nginx:1.27\n', { filePath: join(p.dir, 'compose.yaml') });
    expect(r.output).toBe('services:\n  web:\n    image: nginx:1.27\n    security_opt:\n      - no-new-privileges:true\n');
    expect(r.changed).toBe(true);
    expect(r.applied).toEqual([{ ruleId: 'no-new-privileges', service: 'web', description: 'added no-new-privileges:true to security_opt', unsafe: false }]);
    expect(r.remaining.map((f) => f.ruleId).sort()).toEqual(['cap-drop-all', 'healthcheck-required', 'non-root-user']);
    expect(r.blocked).toBeNull();
    // idempotent
    expect(fix(r.output, { filePath: join(p.dir, 'compose.yaml') }).changed).toBe(false);
  });

  it('a text that does not parse is returned as it is, with the reason', () => {
    const r = fix('services: [\n', { filePath: join(p.dir, 'compose.yaml') });
    expect(r.output).toBe('services: [\n');
    expect(r.changed).toBe(false);
    expect(r.blocked).toMatch(/compose\.yaml:1:11: /);
  });
});

describe('ruleDocs(id)', () => {
  it('the README of a rule, a short text for the reader\'s checks, null for an unknown id', () => {
    const d = ruleDocs('no-privileged')!;
    expect(d.markdown.split('\n')[0]).toBe('# no-privileged');
    expect(d).toMatchObject({ id: 'no-privileged', severity: 'error', fixable: null });
    expect(ruleDocs('yaml-syntax')!.markdown).toMatch(/^# yaml-syntax\n\nThe file must be one well-formed YAML document/);
    expect(ruleDocs('no-such-rule')).toBeNull();
  });
});

describe('the package entry', () => {
  const p = tempProject({});
  beforeAll(() => {
    assertBuilt();
    // a user's project with stackopt installed
    mkdirSync(join(p.dir, 'node_modules'));
    symlinkSync(repoRoot, join(p.dir, 'node_modules', 'stackopt'));
  });
  afterAll(() => p.cleanup());

  it('`import { lint } from "stackopt"` resolves through exports to the built module', () => {
    writeFileSync(
      join(p.dir, 'use.mjs'),
      "import { lint, fix, ruleDocs, StackoptInputError } from 'stackopt';\n" +
        "const r = lint('services:\\n  web:\\n    image: nginx:1.27\\n    privileged: true\\n', { filePath: 'compose.yaml', config: false });\n" +
        "const f = r.findings.find((x) => x.ruleId === 'no-privileged');\n" +
        "console.log(JSON.stringify([f.line, f.column, typeof fix, ruleDocs('no-privileged').id, typeof StackoptInputError]));\n",
    );
    const r = spawnSync(process.execPath, ['use.mjs'], { cwd: p.dir, encoding: 'utf8', timeout: 300_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([4, 17, 'function', 'no-privileged', 'function']);
    // nothing else of the package is reachable: the API is the entry
    writeFileSync(join(p.dir, 'deep.mjs'), "await import('stackopt/dist/bundle/stackopt.cjs');\n");
    expect(spawnSync(process.execPath, ['deep.mjs'], { cwd: p.dir, encoding: 'utf8', timeout: 300_000 }).stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('its declarations type a consumer (tsc, NodeNext), and reject a wrong use', async () => {
    writeFileSync(join(p.dir, 'package.json'), '{"type":"module"}\n');
    writeFileSync(
      join(p.dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: [], skipLibCheck: false }, files: ['use.ts'] }),
    );
    writeFileSync(
      join(p.dir, 'use.ts'),
      "import { lint, type Finding, type LintReport } from 'stackopt';\n" +
        "const r: LintReport = lint('services: {}\\n', { filePath: 'compose.yaml', target: 'swarm' });\n" +
        "const f: Finding | undefined = r.findings[0];\n" +
        "const n: number = f ? f.fix?.edits[0]?.start ?? f.line : 0;\n" +
        'export { n };\n',
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const ok = await runAsync(process.execPath, [tsc, '-p', '.'], { cwd: p.dir });
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    writeFileSync(join(p.dir, 'use.ts'), "import { lint } from 'stackopt';\nlint('x', { target: 'kubernetes' });\n");
    const bad = await runAsync(process.execPath, [tsc, '-p', '.'], { cwd: p.dir });
    expect(bad.stdout).toMatch(/use\.ts\(2,13\): error TS2322: Type '"kubernetes"' is not assignable/);
  });
});
