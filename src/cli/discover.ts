import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../parse/read-document.js';

const COMPOSE_NAME = /^(compose|docker-compose[^/]*|[^/]*stack[^/]*)\.ya?ml$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.hg', '.svn']);

export function isComposeFileName(name: string): boolean {
  return COMPOSE_NAME.test(name) && !name.endsWith('.optimized');
}

/** Compose files under a directory (compose.yaml, docker-compose*.yml, *stack*.yml), sorted. */
export function discoverComposeFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(n)) walk(p);
      } else if (isComposeFileName(n)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Expand the command's path arguments: files as given, directories into their compose files. */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths.length ? paths : ['.']) {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push(p); // reading it reports the error with the file's name
      continue;
    }
    if (st.isDirectory()) {
      const found = discoverComposeFiles(p);
      if (found.length === 0) {
        throw new InputError(
          `${p === '.' ? 'the current directory' : p}: no compose files found (looked for compose.y{a,}ml, docker-compose*.y{a,}ml and *stack*.y{a,}ml, recursively); pass a file path`,
          p,
        );
      }
      out.push(...found);
    } else out.push(p);
  }
  return out;
}
