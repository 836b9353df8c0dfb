import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: { root: string; version: string } | null = null;

/**
 * The package's folder and version, from its package.json: the nearest one named stackopt above
 * this module (src/, dist/src/ or dist/bundle/). Read once; a folder without one is passed over
 * without a failed open (each cost an exception with its stack, every lint, in the bundle's two
 * folders).
 */
function ownPackage(): { root: string; version: string } {
  if (found) return found;
  // import.meta.dirname from node 20.11 (and in the CLI bundle, where it is the bundle's folder)
  let d = import.meta.dirname ?? dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(d, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'stackopt') return (found = { root: d, version: pkg.version as string });
      } catch {
        /* not readable or not JSON: go up */
      }
    }
    d = dirname(d);
  }
  throw new Error('cannot find the stackopt package root');
}

/** The package's folder (where package.json is), from src/ or from dist/src/. */
export function packageRoot(): string {
  return ownPackage().root;
}

/** The version in package.json (what --version prints and reports name). */
export function packageVersion(): string {
  return ownPackage().version;
}
