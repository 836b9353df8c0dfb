import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The V8 code cache of a script loaded beside the bundle (the older stack schema validators): the
 * cache to compile it with, if any, and where to keep a new one when there is none or V8 rejected
 * it (`save` is called with the cache made after the script's first use).
 */
export interface CodeCache {
  data?: Buffer;
  save?: (data: Buffer) => void;
}

/**
 * By default the cache is the one the build recorded beside the script (`<file>.cache`), written
 * when the build's warm-up run sets STACKOPT_WRITE_CODE_CACHE. bin/stackopt.js replaces this
 * (useCodeCache): under V8 flags, which make V8 reject the build's cache, it keeps the user's own,
 * as it does for the bundle.
 */
let provider = (file: string): CodeCache => {
  const cacheFile = `${file}.cache`;
  if (process.env.STACKOPT_WRITE_CODE_CACHE !== undefined) return { save: (data) => writeFileSync(cacheFile, data) };
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
