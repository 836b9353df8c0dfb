import type { Loc } from './location.js';
import { makeMap, setEntry, type LEntry, type LMap, type LVal } from './located.js';
import { mergeTrees, type OnConflict } from './merge.js';

/** A value of an `include` item as written, with where it is written. */
export interface IncludeText {
  value: string;
  /** the value as quoted in messages: as written when a variable gave it (its value is not shown) */
  shown: string;
  loc: Loc;
}

/**
 * One item of a top-level `include:` list: the short syntax (a path) or the long one (`path`, a
 * string or a list of files merged as with `-f`; `project_directory`; `env_file`, a string or a list).
 */
export interface IncludeItem {
  /** where the item is written (errors about it as a whole point here) */
  loc: Loc;
  /** its path in the file: `include`, index */
  path: string[];
  paths: IncludeText[];
  projectDirectory: IncludeText | null;
  /** null: not written (the `.env` of the project directory is read when there is one) */
  envFiles: IncludeText[] | null;
}

/**
 * The items of a file's top-level `include:` that name at least one path. What the schema refuses
 * (a mapping instead of a list, an item that is a number, `path` missing) is left out here: the
 * `schema` check reports it at its place.
 */
export function includeItems(root: LMap): IncludeItem[] {
  const inc = root.index.get('include')?.value;
  if (!inc || inc.kind !== 'seq') return [];
  const out: IncludeItem[] = [];
  for (const [i, it] of inc.items.entries()) {
    const v = it.value;
    const path = ['include', String(i)];
    if (v.kind === 'scalar') {
      const t = textOf(v);
      if (t) out.push({ loc: v.loc, path, paths: [t], projectDirectory: null, envFiles: null });
      continue;
    }
    if (v.kind !== 'map') continue;
    const paths = textsOf(v.index.get('path')?.value);
    if (!paths || paths.length === 0) continue;
    const pd = v.index.get('project_directory')?.value;
    const env = v.index.get('env_file')?.value;
    out.push({ loc: v.loc, path, paths, projectDirectory: pd ? textOf(pd) : null, envFiles: env ? (textsOf(env) ?? []) : null });
  }
  return out;
}

function textOf(v: LVal): IncludeText | null {
  if (v.kind !== 'scalar' || typeof v.value !== 'string' || v.value === '') return null;
  return { value: v.value, shown: v.fromEnv && v.raw !== undefined ? v.raw : v.value, loc: v.loc };
}

/** A string or a list of strings; null when it is neither. */
function textsOf(v: LVal | undefined): IncludeText[] | null {
  if (!v) return null;
  if (v.kind === 'scalar') {
    const t = textOf(v);
    return t ? [t] : null;
  }
  if (v.kind !== 'seq') return null;
  const out: IncludeText[] = [];
  for (const it of v.items) {
    const t = textOf(it.value);
    if (t) out.push(t);
  }
  return out;
}

/** The top-level keys whose definitions an included project brings into the including one. */
const IMPORTED = ['services', 'volumes', 'networks', 'secrets', 'configs', 'models'];

/**
 * The including file's tree with the resources of an included project added (compose-go's
 * include): a name only the included project defines is taken as it is there (located in the
 * included file); a name both define is the included definition with the including file's merged
 * over it, as an override file is merged. The including file's other keys, `include:` among them,
 * stay as written.
 */
export function importResources(local: LMap, imported: LMap, onConflict: OnConflict): LMap {
  const out = makeMap(local.loc, [...local.entries]);
  if (local.yaml) out.yaml = local.yaml;
  for (const key of IMPORTED) {
    const from = imported.index.get(key);
    if (!from || from.value.kind !== 'map' || from.value.entries.length === 0) continue;
    const toEntry = out.index.get(key);
    const to = toEntry?.value.kind === 'map' ? toEntry.value : null;
    const result = makeMap(to ? to.loc : from.value.loc, to ? [...to.entries] : []);
    if (to?.yaml) result.yaml = to.yaml;
    for (const e of from.value.entries) {
      const own = result.index.get(e.key);
      if (!own) {
        setEntry(result, e);
        continue;
      }
      const merged = mergeTrees(e.value, own.value, [key, e.key], onConflict, own.keyLoc);
      if (merged === null) {
        result.entries.splice(result.entries.indexOf(own), 1);
        result.index.delete(e.key);
      } else setEntry(result, { ...own, value: merged } as LEntry);
    }
    setEntry(out, toEntry ? { ...toEntry, value: result } : { ...from, value: result });
  }
  return out;
}
