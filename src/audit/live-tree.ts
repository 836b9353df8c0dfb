import type { LiveLoc } from '../parse/location.js';
import { makeMap, type LEntry, type LMap, type LScalar, type LSeq, type LVal } from '../parse/located.js';

/**
 * Builds located trees for a live object: every node carries a `LiveLoc` naming the object
 * (`service web`, `node worker-1`) and the path of the docker JSON field it came from
 * (`Spec.TaskTemplate.ContainerSpec.User`), so a finding about it says where to look.
 */
export class LiveTree {
  constructor(
    readonly object: string,
    /** the paths and durations shared by the trees of one audit (see `LiveStrings`) */
    readonly shared: LiveStrings = new LiveStrings(),
  ) {}

  loc(path: string): LiveLoc {
    return { kind: 'live', object: this.object, path };
  }

  scalar(value: string | number | boolean | null, path: string): LScalar {
    return { kind: 'scalar', value, loc: this.loc(path) };
  }

  /** A mapping of the entries whose value is defined; an entry's key points at `keyPath` or its value. */
  map(path: string, entries: Array<[key: string, value: LVal | undefined | null, keyPath?: string]>): LMap {
    const start = this.open();
    // indexes, not `for (const [key, value] of entries)`, whose destructuring runs the iterator
    // protocol in code that runs thousands of times unoptimised
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      this.add(entry[0], entry[1], entry[2]);
    }
    return this.close(path, start);
  }

  /**
   * Entries of mappings being built (`open`, `add`, `close`): one list per tree, used as a stack, so
   * that a mapping's entries are made as its values are, without a list of `[key, value]` pairs
   * to walk again (a service has about a dozen mappings, a few hundred pairs in all, most of them
   * for keys it does not set). A mapping built inside another's `open` and `close` takes the
   * entries above the outer one's and gives the room back when it closes.
   */
  private readonly building: LEntry[] = [];

  /** Start a mapping: what `close` is given. */
  open(): number {
    return this.building.length;
  }

  /** The entry `key: value` of the mapping being built, when the value is defined; its key points at `keyPath` or its value. */
  add(key: string, value: LVal | undefined | null, keyPath?: string): void {
    if (value) this.building.push({ key, keyLoc: keyPath ? this.loc(keyPath) : value.loc, value });
  }

  /** The mapping of the entries added since `open` returned `start` (a list of its size). */
  close(path: string, start: number): LMap {
    const list = this.building.slice(start);
    this.building.length = start;
    return makeMap(this.loc(path), list);
  }

  /** `close`, or undefined when nothing was added (see `nonEmpty`). */
  closeNonEmpty(path: string, start: number): LMap | undefined {
    return this.building.length === start ? undefined : this.close(path, start);
  }

  seq(path: string, items: LVal[]): LSeq {
    return { kind: 'seq', items: items.map((value) => ({ value })), loc: this.loc(path) };
  }

  /** A list of strings, each at `path[i]`; undefined when the list is absent or empty. */
  strings(path: string, list: readonly string[] | null | undefined): LSeq | undefined {
    if (!list || list.length === 0) return undefined;
    const at = this.shared.items(path);
    const items = new Array<{ value: LVal }>(list.length);
    for (let i = 0; i < list.length; i++) items[i] = { value: this.scalar(list[i]!, itemPath(at, path, i)) };
    return { kind: 'seq', items, loc: this.loc(path) };
  }

  /** A string-valued mapping (labels, options), each value at `path["key"]`. */
  stringMap(path: string, obj: Record<string, string> | null | undefined): LMap | undefined {
    if (!obj) return undefined;
    const keys = Object.keys(obj);
    if (keys.length === 0) return undefined;
    const at = this.shared.keys(path);
    const list = new Array<LEntry>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const value = this.scalar(obj[k]!, keyPath(at, path, k));
      list[i] = { key: k, keyLoc: value.loc, value };
    }
    return makeMap(this.loc(path), list);
  }

  opt(v: string | number | boolean | null | undefined, path: string): LScalar | undefined {
    if (v === undefined || v === null) return undefined;
    return this.scalar(v, path);
  }
}

/**
 * Strings the trees of one audit share, each written once: the paths of list items
 * (`Spec.TaskTemplate.ContainerSpec.Env[1]`) and of mapping values
 * (`Spec.Labels["com.docker.stack.namespace"]`), and durations (`30s`). The services of a swarm
 * mostly have lists of a few items, the same label keys and the same few durations, and a string
 * written for each value was kept per value (about forty a service). One look-up per list or
 * mapping; the item's or key's path is then read from what it returns.
 */
export class LiveStrings {
  private readonly itemPaths = new Map<string, string[]>();
  private readonly keyPaths = new Map<string, Map<string, string>>();

  private readonly durations = new Map<number, string>();

  /** `formatNanos(ns)` */
  duration(ns: number): string {
    let text = this.durations.get(ns);
    if (text === undefined) this.durations.set(ns, (text = formatNanos(ns)));
    return text;
  }

  /** The item paths of the list at `path`, by index (filled as `itemPath` writes them). */
  items(path: string): string[] {
    let list = this.itemPaths.get(path);
    if (!list) this.itemPaths.set(path, (list = []));
    return list;
  }

  /** `path[i]` (one look-up per item: `items` for a whole list) */
  item(path: string, i: number): string {
    return itemPath(this.items(path), path, i);
  }

  /** `path["key"]` (one look-up per key: `keys` for a whole mapping) */
  key(path: string, key: string): string {
    return keyPath(this.keys(path), path, key);
  }

  /** The value paths of the mapping at `path`, by key (filled as `keyPath` writes them). */
  keys(path: string): Map<string, string> {
    let map = this.keyPaths.get(path);
    if (!map) this.keyPaths.set(path, (map = new Map()));
    return map;
  }
}

/** `path[i]`: the one kept in `at` (the list of `LiveStrings.items(path)`), else written and kept there. */
export function itemPath(at: string[], path: string, i: number): string {
  return at[i] ?? (at[i] = `${path}[${i}]`);
}

/** `path["key"]`: the one kept in `at` (the map of `LiveStrings.keys(path)`), else written and kept there. */
function keyPath(at: Map<string, string>, path: string, key: string): string {
  let p = at.get(key);
  if (p === undefined) at.set(key, (p = `${path}[${JSON.stringify(key)}]`));
  return p;
}

/** Nanoseconds → an exact Go/compose duration: `30s`, `1m30s`, `1h`, `500ms`, `250us`, `10ns`. */
export function formatNanos(ns: number): string {
  if (!Number.isFinite(ns) || ns <= 0) return '0s';
  if (ns % 1e9 === 0) {
    let s = ns / 1e9;
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
  }
  if (ns % 1e6 === 0) return `${ns / 1e6}ms`;
  if (ns % 1e3 === 0) return `${ns / 1e3}us`;
  return `${ns}ns`;
}
