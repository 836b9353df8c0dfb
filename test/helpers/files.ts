import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The `.yml`/`.yaml` files under `dir`, in name order (and its sub-folders' unless `recurse` is false). */
export function yamlFiles(dir: string, recurse = true): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) {
      if (recurse) out.push(...yamlFiles(p));
    } else if (/\.ya?ml$/.test(n)) out.push(p);
  }
  return out;
}
