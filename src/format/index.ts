import { formatStylish } from './stylish.js';
import type { Formatter } from './types.js';

/**
 * Output formats by name. Add one by adding a module and a line here. Only the default format is
 * loaded up front; the others are imported when asked for, so that a plain `stackopt lint` stays fast.
 */
const loaders: Record<string, () => Promise<Formatter>> = {
  stylish: async () => formatStylish,
  compact: async () => (await import('./compact.js')).formatCompact,
  json: async () => (await import('./json.js')).formatJson,
  sarif: async () => (await import('./sarif.js')).formatSarif,
  github: async () => (await import('./github.js')).formatGithub,
  junit: async () => (await import('./junit.js')).formatJunit,
  codeclimate: async () => (await import('./codeclimate.js')).formatCodeClimate,
  rdjson: async () => (await import('./rdjson.js')).formatRdjson,
};

/** The names --format takes, in the order help lists them. */
export const formatNames = (): string[] => Object.keys(loaders);

/** The formatter of a name, or undefined for an unknown name (the caller reports a usage error). */
export async function loadFormatter(name: string): Promise<Formatter | undefined> {
  return Object.hasOwn(loaders, name) ? loaders[name]!() : undefined;
}

/** Formats that show fixes, so the lint run must compute them (`withFixes`). */
export const FORMATS_WITH_FIXES: ReadonlySet<string> = new Set(['sarif', 'rdjson']);
