import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script
import { BUILD_PACKAGES, buildLock, lockClosure } from '../scripts/install-build-deps.mjs';
import { repositoryRoot as root, runProcess } from './helpers/worktree.js';

/**
 * What the npm package holds and needs: its file list (`npm pack --dry-run --json`), runtime
 * dependencies that are exactly what the bundle loads from outside itself, and an install of the
 * packed tarball with `--omit=dev` that lints (an old stack schema version too, whose validator is
 * loaded beside the bundle). Run after the build (`npm test` builds first).
 */
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; license: string; dependencies?: Record<string, string>; devDependencies: Record<string, string>; files: string[] };
const work = mkdtempSync(join(tmpdir(), 'stackopt-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** `lodash/fp` → `lodash`, `@scope/name/x` → `@scope/name`. */
const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

function walk(dir: string, keep: (f: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p, keep) : keep(p) ? [p] : [];
  });
}

describe('package contents', () => {
  it('npm pack lists LICENSE, README, CHANGELOG, the schemas, every rule README, the build, and no test or fixture file', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'bin/stackopt.js', 'dist/bundle/stackopt.cjs', 'dist/bundle/stackopt.cjs.cache', 'dist/stack-validators/config_schema_v3.8.cjs', 'schemas/config.schema.json', 'schemas/report.schema.json', 'schemas/compose-spec/compose-spec.json'])
      expect(files, f).toContain(f);
    const ruleDirs = readdirSync(join(root, 'rules'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(ruleDirs.length).toBeGreaterThan(30);
    for (const id of ruleDirs) expect(files, id).toContain(`rules/${id}/README.md`);
    const unwanted = files.filter((f) => /^(test|fixtures|src|scripts|bench|docs)\//.test(f) || /\.test\.ts$|(^|\/)\.npmrc$|^rules\/.*\.ts$/.test(f));
    expect(unwanted).toEqual([]);
  });

  it('LICENSE is the Apache License 2.0 that package.json names; CHANGELOG follows Keep a Changelog', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\n\s*Version 2\.0, January 2004\n/);
    expect(license).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/^# Changelog\n/);
    expect(changelog).toContain('[Keep a Changelog]');
    expect(changelog).toMatch(/^## \[0\.1\.0\] - Unreleased$/m);
  });

  it('runtime dependencies are exactly the packages the built bundle loads from outside itself', () => {
    const bundle = readFileSync(join(root, 'dist/bundle/stackopt.cjs'), 'utf8');
    // require calls, not the code strings of ajv's runtime helpers ('require("ajv/dist/runtime/equal").default')
    const external = new Set([...bundle.matchAll(/(?<!['"`])\brequire\("([^"]+)"\)/g)].map((m) => m[1]!).filter((s) => !builtins.has(s) && !s.startsWith('.')).map(packageOf));
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual([...external].sort());
    // the older stack validators beside the bundle need only the ajv helpers the bundle serves them
    for (const f of readdirSync(join(root, 'dist/stack-validators')).filter((n) => n.endsWith('.cjs'))) {
      const specs = [...readFileSync(join(root, 'dist/stack-validators', f), 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
      for (const s of specs) expect(['ajv/dist/runtime/equal', 'ajv/dist/runtime/ucs2length'], `${f}: ${s}`).toContain(s);
    }
  });

  it('the build\'s package list (scripts/install-build-deps.mjs) holds every package the sources and build scripts import', () => {
    const sources = [...walk(join(root, 'src'), (f) => f.endsWith('.ts')), ...walk(join(root, 'rules'), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts')), ...walk(join(root, 'scripts'), (f) => /build-.*\.mjs$/.test(f))];
    const imported = new Set<string>();
    for (const f of sources) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.') || builtins.has(spec) || spec.includes('${')) continue; // relative, node's own, or a template
        imported.add(packageOf(spec));
      }
    }
    const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
    const missing = [...imported].filter((p) => !BUILD_PACKAGES.includes(p) && !runtime.has(p));
    expect(missing).toEqual([]);
    for (const p of BUILD_PACKAGES as string[]) expect(pkg.devDependencies[p], p).toBeDefined();
  });

  it('the build\'s lockfile subset pins the lockfile\'s versions and leaves out the test tools', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
    const { manifest, lock: subset } = buildLock(pkg, lock, BUILD_PACKAGES) as { manifest: { dependencies: Record<string, string> }; lock: { packages: Record<string, { version?: string; integrity?: string; dev?: boolean }> } };
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...BUILD_PACKAGES].sort());
    const paths = Object.keys(subset.packages).filter((p) => p !== '');
    for (const p of paths) {
      expect(subset.packages[p]!.version, p).toBe(lock.packages[p]!.version);
      expect(subset.packages[p]!.integrity, p).toBe(lock.packages[p]!.integrity);
      expect(subset.packages[p]!.dev, p).toBeUndefined();
    }
    for (const dev of ['typescript', 'vitest', '@microsoft/sarif-multitool', 'fast-check']) expect(paths, dev).not.toContain(`node_modules/${dev}`);
    expect(paths).toContain('node_modules/fast-deep-equal'); // a dependency of ajv
  });
});

describe('the packed tarball installed with --omit=dev', () => {
  it('installs nothing besides itself and its runtime dependencies, and lints, an old stack schema version too', async () => {
    const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    expect(packed.status, packed.stderr).toBe(0);
    expect(packed.stdout).toBe(`${pkg.name}-${pkg.version}.tgz\n`); // nothing else on stdout: pre-commit reads the name from it
    const project = join(work, 'project');
    spawnSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), '{"name":"user-project","version":"1.0.0","private":true}\n');
    const env = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
    const install = await runProcess('npm', ['install', '--omit=dev', join(work, 'stackopt-0.1.0.tgz')], project, env, 10 * 60_000);
    expect(install.status, install.out).toBe(0);
    // itself and its runtime dependencies (the language server's, not in the bundle), nothing of the build or the tests
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    const runtime = (lockClosure(lock, Object.keys(pkg.dependencies ?? {})) as string[]).map((p) => p.replace(/^node_modules\//, '').split('/node_modules/')[0]!);
    expect(readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.')).sort()).toEqual(['stackopt', ...new Set(runtime)].sort());
    writeFileSync(join(project, 'app-stack.yml'), 'version: "3.7"\nservices:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 2\n      placement:\n        max_replicas_per_node: 1\n');
    const bin = join(project, 'node_modules/.bin/stackopt');
    expect(existsSync(bin)).toBe(true);
    const lint = spawnSync(bin, ['lint', 'app-stack.yml', '--format', 'compact', '--target', 'swarm'], { cwd: project, encoding: 'utf8', timeout: 300_000 });
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(1);
    // the 3.7 schema's validator (loaded beside the bundle) rejects a key that came with 3.8
    expect(lint.stdout).toContain('app-stack.yml:8:9: error services.web.deploy.placement sets max_replicas_per_node, which docker stack deploy rejects');
  }, 15 * 60_000);
});
