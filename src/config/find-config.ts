import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../parse/read-document.js';

/** The names a configuration file may have, in order of preference. */
export const CONFIG_NAMES = ['.stackopt.yaml', '.stackopt.yml'] as const;

/**
 * The nearest configuration file: in `start` or the closest folder above it. Only `existsSync`
 * calls: cheap enough for every run, so the loader itself is only imported when a file exists.
 */
export function findConfigFile(start: string = process.cwd()): string | null {
  let d = resolve(start);
  for (;;) {
    for (const n of CONFIG_NAMES) {
      const p = join(d, n);
      if (existsSync(p) && statSync(p).isFile()) return p;
    }
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}

/**
 * The configuration for a command: `--config F` when given, else the nearest `.stackopt.yaml` (from
 * `start`, by default the working directory), else none. The loader (YAML, schema validation) is only imported when there is a file to read.
 * A bad configuration throws an InputError (exit 2) listing each problem with its file:line:col.
 */
export async function loadCommandConfig(explicit?: string, start?: string): Promise<import('./load-config.js').ResolvedConfig | null> {
  const path = explicit ?? findConfigFile(start);
  if (!path) return null;
  const { loadConfig, ConfigError } = await import('./load-config.js');
  try {
    return loadConfig(path);
  } catch (e) {
    if (e instanceof ConfigError) throw new InputError(`invalid configuration: ${e.problems.join('\nstackopt: ')}`, e.file);
    throw e;
  }
}
