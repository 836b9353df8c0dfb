import type { Loc } from '../parse/location.js';
import type { LEntry, LMap, LVal } from '../parse/located.js';

/** A node of the located tree reached by a walk: its YAML path and whether it is shared. */
export interface LRef<T extends LVal = LVal> {
  node: T;
  path: string[];
  /** true when a step of the walk went through an alias or a `<<` merge key */
  shared: boolean;
  /** the mapping entry holding the node (absent for sequence items and the root) */
  entry?: LEntry;
}

/** A typed, normalised value with the node it came from. */
export interface Located<T> extends LRef {
  value: T;
  loc: Loc;
}

/**
 * The walk's result. The YAML path is built only when asked for (most nodes a rule looks at are
 * never reported, and copying the path at every step made large files allocation-bound). A large
 * file's model holds a ref per value it reads: the entry and the key share one field (a mapping
 * value's key is its entry's), and the location is the node's.
 */
class Ref implements LRef {
  // The fields are `declare`d and set in the constructor: a class field (a parameter property
  // included) is defined on each new object before the constructor runs, one more property
  // definition per field, and a ref is made for nearly every step of every walk.
  declare readonly node: LVal;
  declare readonly shared: boolean;
  /** the entry holding the node, or a sequence item's index, or null at the start of a walk */
  declare private readonly step: LEntry | string | null;
  /** the ref this one was reached from, until the path is asked for; then the path */
  declare private up: LRef | string[];
  /** set by `located()`; set here so that every ref has one shape (V8 keeps the accesses monomorphic) */
  declare value: unknown;
  constructor(node: LVal, shared: boolean, step: LEntry | string | null, up: LRef | string[]) {
    this.node = node;
    this.shared = shared;
    this.step = step;
    this.up = up;
    this.value = undefined;
  }
  get entry(): LEntry | undefined {
    const s = this.step;
    return s !== null && typeof s === 'object' ? s : undefined;
  }
  get loc(): Loc {
    return this.node.loc;
  }
  get path(): string[] {
    const up = this.up;
    if (Array.isArray(up)) return up;
    const s = this.step;
    const path = [...up.path, typeof s === 'string' ? s : s!.key];
    this.up = path;
    return path;
  }
}

/** The start of a walk: a ref to a mapping, with the YAML path it sits at (default: the document). */
export function rootRef(node: LMap, path: string[] = []): LRef<LMap> {
  return new Ref(node, false, null, path) as LRef<LMap>;
}

/** The value under `key`, shared when the walk so far was or this entry is reached through an alias or `<<`. */
export function child(ref: LRef | null | undefined, key: string): LRef | undefined {
  if (!ref || ref.node.kind !== 'map') return undefined;
  const e = ref.node.get(key);
  if (!e) return undefined;
  return new Ref(e.value, ref.shared || e.via !== undefined, e, ref);
}

/** The `i`-th item of a sequence, shared as for `child`. */
export function item(ref: LRef, i: number): LRef | undefined {
  if (ref.node.kind !== 'seq') return undefined;
  const it = ref.node.items[i];
  if (!it) return undefined;
  return new Ref(it.value, ref.shared || it.via !== undefined, String(i), ref);
}

/** Every item of a sequence; none when the node is not one. */
export function items(ref: LRef | null | undefined): LRef[] {
  if (!ref || ref.node.kind !== 'seq') return [];
  const out: LRef[] = [];
  for (let i = 0; i < ref.node.items.length; i++) out.push(item(ref, i)!);
  return out;
}

/** Every key and value of a mapping, in source order; none when the node is not one. */
export function entries(ref: LRef | null | undefined): Array<{ key: string; ref: LRef }> {
  if (!ref || ref.node.kind !== 'map') return [];
  return ref.node.entries.map((e) => ({ key: e.key, ref: child(ref, e.key)! }));
}

/** The node along `keys`, or undefined as soon as one is missing. */
export function at(ref: LRef | null | undefined, ...keys: string[]): LRef | undefined {
  let cur: LRef | undefined = ref ?? undefined;
  for (let i = 0; i < keys.length; i++) {
    cur = child(cur, keys[i]!);
    if (!cur) return undefined;
  }
  return cur;
}

/** The deepest node that exists along `keys` (the start itself when none does). */
export function deepest(ref: LRef, ...keys: string[]): LRef {
  let cur = ref;
  for (let i = 0; i < keys.length; i++) {
    const next = child(cur, keys[i]!);
    if (!next) break;
    cur = next;
  }
  return cur;
}

/**
 * A typed value with its node. A fresh walk result is reused as the Located (no copy); a ref that
 * already carries another value is copied instead.
 */
export function located<T>(ref: LRef, value: T): Located<T> {
  const out = ref as Located<T>;
  // A walk result is made fresh by child()/item(): give it its value rather than copying it.
  if (out.value === undefined || out.value === value) {
    (out as { value: T }).value = value;
    // a Ref's loc is its node's; a ref made elsewhere (a live object's) gets it as a field
    if (!(ref instanceof Ref)) (out as { loc: Loc }).loc = ref.node.loc;
    return out;
  }
  return { node: ref.node, path: ref.path, shared: ref.shared, entry: ref.entry, value, loc: ref.node.loc } as Located<T>;
}

/** A scalar's value; undefined for a mapping, a sequence or a missing node. */
export function scalarValue(ref: LRef | undefined): string | number | boolean | null | undefined {
  return ref && ref.node.kind === 'scalar' ? ref.node.value : undefined;
}

/** Where a finding about a key should point: the key itself when there is one, else the value. */
export function keyLoc(ref: LRef): Loc {
  return ref.entry ? ref.entry.keyLoc : ref.node.loc;
}

/**
 * The keys of the mappings that earlier copies of `key` held in `map` (`services:` or `volumes:`
 * written twice at the top level: the checks read the last copy, and docker refuses the file).
 * Empty when the key was written once.
 */
export function namesInEarlierCopies(map: LRef | undefined, key: string): Set<string> {
  const names = new Set<string>();
  if (map?.node.kind !== 'map' || !map.node.superseded) return names;
  for (const e of map.node.superseded) {
    if (e.key !== key || e.value.kind !== 'map') continue;
    for (const inner of e.value.entries) names.add(inner.key);
    for (const inner of e.value.superseded ?? []) names.add(inner.key);
  }
  return names;
}
