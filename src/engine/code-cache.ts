import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import vm from 'node:vm';

/**
 * The V8 code cache of a script loaded beside the bundle (the files the bundle loads on first use,
 * the older stack schema validators): the cache to compile it with, if any, and where to keep a new
 * one when there is none or V8 rejected it (`save` is called with the cache made at the end of the
 * run, see saveCodeCaches).
 */
export interface CodeCache {
  data?: Buffer;
  /** keeps the cache `make` makes; called only where one is kept, as making one takes time */
  save?: (make: () => Buffer) => void;
}

/**
 * By default the cache is the one the build recorded beside the script (`<file>.cache`), written
 * when the build's warm-up run sets STACKOPT_WRITE_CODE_CACHE. bin/stackopt.js replaces this
 * (useCodeCache): under V8 flags, which make V8 reject the build's cache, it keeps the user's own,
 * as it does for the bundle.
 */
let provider = (file: string): CodeCache => {
  const cacheFile = `${file}.cache`;
  // set (not empty) only by the build's warm-up runs, as bin/stackopt.js reads it
  if (process.env.STACKOPT_WRITE_CODE_CACHE) return { save: (make) => writeFileSync(cacheFile, make()) };
  return { data: existsSync(cacheFile) ? readFileSync(cacheFile) : undefined };
};

/** Where scripts beside the bundle find and keep their code caches (bin/stackopt.js sets it). */
export function useCodeCache(p: (file: string) => CodeCache): void {
  provider = p;
}

/** The code cache of `file`. */
export function codeCacheFor(file: string): CodeCache {
  return provider(file);
}

/** Caches to make once the run is over: scripts compiled without an accepted cache, where one is kept. */
const unsaved: Array<() => void> = [];

/**
 * `source` (the text of `file`, one function expression) compiled with the file's code cache. When
 * there is none or V8 rejects it and the provider keeps one, a cache is made at the end of the run
 * (saveCodeCaches), so that it holds the functions the run compiled, not only the top level.
 */
export function compileWithCodeCache(file: string, source: string): vm.Script {
  const cache = codeCacheFor(file);
  const script = new vm.Script(source, { filename: file, cachedData: cache.data });
  const save = cache.save;
  if (save && (!cache.data || script.cachedDataRejected)) unsaved.push(() => save(() => script.createCachedData()));
  return script;
}

/** Makes and keeps the caches compileWithCodeCache left to the end of the run (bin/stackopt.js calls it). */
export function saveCodeCaches(): void {
  for (const save of unsaved.splice(0)) {
    try {
      save();
    } catch {
      /* a read-only install or a full disk: the next run compiles again */
    }
  }
}

/**
 * A file the build puts beside the bundle is missing: an install cut short, or a checkout not built
 * since. The CLI says it in one line (exit 3), not as an internal error to report.
 */
export class IncompleteInstallError extends Error {}

/**
 * A CommonJS file the build puts beside the bundle (`dist/bundle/<name>.cjs`: a package or module
 * only some commands or inputs use), loaded the first time one of its members is used, with its
 * code cache. The file is one function expression of the CommonJS arguments (scripts/build-bundle.mjs)
 * and ASCII: read as Latin-1, without decoding UTF-8 or a second copy to wrap it.
 */
export function loadChunk(name: string, dir: string, req: (id: string) => unknown): unknown {
  const file = `${dir}/${name}.cjs`;
  let source: string;
  try {
    source = readFileSync(file, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new IncompleteInstallError(`stackopt is not fully installed: ${file} is missing; reinstall it, or run \`npm run build\` in its folder`);
    throw e;
  }
  const mod = { exports: {} as unknown };
  (compileWithCodeCache(file, source).runInThisContext() as (...a: unknown[]) => void)(mod.exports, req, mod, file, dir);
  return mod.exports;
}
