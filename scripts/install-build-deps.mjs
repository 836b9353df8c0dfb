#!/usr/bin/env node
// Installs only what `npm run build` needs (esbuild and the libraries the bundle inlines), at the
// exact versions and integrity of package-lock.json, into ./node_modules: the GitHub Action builds
// stackopt this way instead of `npm ci`, which would also install the test tools (vitest,
// typescript and the type packages). The installed package needs none of them at run time (the
// bundle contains them), so they are devDependencies.
//
// How: the lockfile's entries for these packages and everything they depend on are written as the
// lockfile of a throw-away project (in a temporary folder) and installed there with `npm ci`, whose
// node_modules is then moved here. Usage: node scripts/install-build-deps.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the build imports: the bundler and the libraries it bundles (test/package.test.ts checks the list against the sources). */
export const BUILD_PACKAGES = ['ajv', 'chalk', 'commander', 'diff', 'esbuild', 'execa', 'yaml'];

/**
 * The lockfile entries (`node_modules/...` paths) of `names` and their dependencies, resolved as
 * node resolves them: from the depending package's own node_modules upward.
 */
export function lockClosure(lock, names) {
  const packages = lock.packages;
  const keep = new Set();
  const queue = names.map((n) => `node_modules/${n}`);
  for (const q of queue) if (!packages[q]) throw new Error(`install-build-deps: ${q} is not in package-lock.json (run npm install)`);
  while (queue.length > 0) {
    const path = queue.shift();
    if (keep.has(path)) continue;
    keep.add(path);
    const entry = packages[path];
    const optional = new Set(Object.keys(entry.optionalDependencies ?? {}));
    const peersOptional = entry.peerDependenciesMeta ?? {};
    const deps = [
      ...Object.keys(entry.dependencies ?? {}),
      ...optional,
      ...Object.keys(entry.peerDependencies ?? {}).filter((p) => !peersOptional[p]?.optional),
    ];
    for (const dep of deps) {
      const found = resolveIn(packages, path, dep);
      if (found) queue.push(found);
      else if (!optional.has(dep)) throw new Error(`install-build-deps: ${dep} (needed by ${path}) is not in package-lock.json`);
    }
  }
  return [...keep].sort();
}

function resolveIn(packages, from, dep) {
  let dir = from;
  for (;;) {
    const candidate = `${dir}/node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    const up = dir.lastIndexOf('/node_modules/');
    if (up < 0) break;
    dir = dir.slice(0, up);
  }
  return packages[`node_modules/${dep}`] ? `node_modules/${dep}` : null;
}

/** The package.json and lockfile of a project that depends on exactly `names`. */
export function buildLock(pkg, lock, names) {
  const wanted = { ...pkg.dependencies, ...pkg.devDependencies };
  const dependencies = Object.fromEntries(names.map((n) => [n, wanted[n]]));
  const manifest = { name: 'stackopt-build-deps', version: '0.0.0', private: true, dependencies };
  const packages = { '': { name: manifest.name, version: manifest.version, dependencies } };
  for (const path of lockClosure(lock, names)) {
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[path];
    packages[path] = entry;
  }
  return { manifest, lock: { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages } };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// run as a script (the tests import the functions)
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const { manifest, lock: subset } = buildLock(pkg, lock, BUILD_PACKAGES);
  // beside node_modules, so that moving it there is a rename on the same file system
  const dir = mkdtempSync(join(root, '.build-deps-'));
  try {
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(subset, null, 2)}\n`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
    if (r.status !== 0) throw new Error(`install-build-deps: npm ci failed (exit ${r.status ?? r.signal})`);
    const target = join(root, 'node_modules');
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(join(dir, 'node_modules'), target);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.error(`install-build-deps: ${Object.keys(subset.packages).length - 1} packages (${BUILD_PACKAGES.join(', ')} and their dependencies) -> node_modules`);
}
