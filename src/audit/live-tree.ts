import type { LiveLoc } from '../parse/location.js';
import { makeMap, type LEntry, type LMap, type LScalar, type LSeq, type LVal } from '../parse/located.js';

/**
 * Builds located trees for a live object: every node carries a `LiveLoc` naming the object
 * (`service web`, `node worker-1`) and the path of the docker JSON field it came from
 * (`Spec.TaskTemplate.ContainerSpec.User`), so a finding about it says where to look.
 */
export class LiveTree {
  constructor(readonly object: string) {}

  loc(path: string): LiveLoc {
    return { kind: 'live', object: this.object, path };
  }

  scalar(value: string | number | boolean | null, path: string): LScalar {
    return { kind: 'scalar', value, loc: this.loc(path) };
  }

  /** A mapping of the entries whose value is defined; an entry's key points at `keyPath` or its value. */
  map(path: string, entries: Array<[key: string, value: LVal | undefined | null, keyPath?: string]>): LMap {
    // the list made at its size (a list grown by push keeps room for 17 entries, and an audit keeps
    // a dozen mappings per service); indexes, not `for (const [key, value] of entries)`, whose
    // destructuring runs the iterator protocol in code that runs thousands of times unoptimised
    let size = 0;
    for (let i = 0; i < entries.length; i++) if (entries[i]![1]) size++;
    const list = new Array<LEntry>(size);
    for (let i = 0, at = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const value = entry[1];
      if (!value) continue;
      const keyPath = entry[2];
      list[at++] = { key: entry[0], keyLoc: keyPath ? this.loc(keyPath) : value.loc, value };
    }
    return makeMap(this.loc(path), list);
  }

  seq(path: string, items: LVal[]): LSeq {
    return { kind: 'seq', items: items.map((value) => ({ value })), loc: this.loc(path) };
  }

  /** A list of strings, each at `path[i]`; undefined when the list is absent or empty. */
  strings(path: string, list: readonly string[] | null | undefined): LSeq | undefined {
    if (!list || list.length === 0) return undefined;
    return this.seq(
      path,
      list.map((s, i) => this.scalar(s, `${path}[${i}]`)),
    );
  }

  /** A string-valued mapping (labels, options), each value at `path["key"]`. */
  stringMap(path: string, obj: Record<string, string> | null | undefined): LMap | undefined {
    if (!obj) return undefined;
    const keys = Object.keys(obj);
    if (keys.length === 0) return undefined;
    return this.map(
      path,
      keys.map((k) => [k, this.scalar(obj[k]!, `${path}[${JSON.stringify(k)}]`)]),
    );
  }

  /** Empty mappings are left out: an absent key and an empty one mean the same to every rule. */
  nonEmpty(m: LMap): LMap | undefined {
    return m.entries.length ? m : undefined;
  }

  opt(v: string | number | boolean | null | undefined, path: string): LScalar | undefined {
    if (v === undefined || v === null) return undefined;
    return this.scalar(v, path);
  }
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
