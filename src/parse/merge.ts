import { parseShortPort } from './stack-formats.js';
import type { Loc } from './location.js';
import { pushAll } from './collect.js';
import { makeMap, replaceEntries, SCAN_LIMIT, type LEntry, type LItem, type LMap, type LScalar, type LSeq, type LVal } from './located.js';

/**
 * Merge of compose trees by the compose merge rules (compose-spec 13-merge.md): mappings merge
 * key by key, sequences append (`dns`, `dns_search` and `tmpfs` also when one side is a string),
 * `command`, `entrypoint` and `healthcheck.test` are replaced,
 * `ports`, `volumes`, `secrets` and `configs` are unique by their key, `!reset` removes a value and
 * `!override` replaces it. Each node keeps the location of the file it came from.
 */
export function mergeTrees(base: LVal, over: LVal, path: string[] = [], onConflict?: OnConflict, overKey?: Loc): LVal | null {
  return mergeValues(base, over, path, onConflict, overKey, null);
}

/**
 * The files of a project merged one after another (`-f A -f B ...`), by the rules of mergeTrees.
 * The mappings and sequences the merge makes are its own: the next file is merged into them in
 * place, with the index each keeps (the place of each key, the keys of a unique list), rather than
 * into a new copy of each (8,192 files that each add a port, a volume, a variable and a label to one
 * service took 86 s to load, time that grew with the square of the number of files; now 0.5 s). A
 * value read from a file is never changed: the first merge into it copies it. `result()`, after the
 * last file, gives the merged tree; nothing may read what the merge made before.
 */
export class FileMerge {
  private root: LMap | null = null;
  private readonly own: Own = { maps: new Map(), seqs: new Map() };
  constructor(private readonly onConflict?: OnConflict) {}

  /** Merge the next file's tree onto the files before it (the first file's `!reset` values are dropped). */
  add(tree: LMap): void {
    this.root = this.root ? (mergeValues(this.root, tree, [], this.onConflict, undefined, this.own) as LMap | null) : (dropResets(tree) as LMap);
  }

  /** The merged tree (null when a file was a `!reset` of the whole document, and none came after it). */
  result(): LMap | null {
    for (const [map, slots] of this.own.maps) replaceEntries(map, slots.entries());
    this.own.maps.clear();
    this.own.seqs.clear();
    return this.root;
  }
}

/**
 * What a merge of files made (see FileMerge), kept until its end: each mapping with its entries and
 * their places (settled at the end), each sequence with its index. Absent (null) for a single
 * merge, which copies what it merges into.
 */
interface Own {
  maps: Map<LMap, MapSlots>;
  seqs: Map<LSeq, SeqIndex>;
}

/** How a sequence the merge made is merged into: by which rule, and what that rule keeps of its items. */
interface SeqIndex {
  rule: string;
  /** the place of each key (unique lists) or the texts of the items (lists of names), when the rule keeps one */
  keys: Map<string, number> | Set<string | null> | null;
}

function mergeValues(base: LVal, over: LVal, path: string[], onConflict: OnConflict | undefined, overKey: Loc | undefined, own: Own | null): LVal | null {
  if (over.tag === '!reset') return null;
  if (over.tag === '!override') return over;
  if (over.kind === 'scalar' && over.value === null && base.kind !== 'scalar' && isNullKeepsBase(path)) return base;
  if (isExtraHosts(path) && base.kind !== 'scalar' && over.kind !== 'scalar') return mergeExtraHosts(base, over, own);
  // compose merges these as mappings by name (compose-go mergeDependsOn, mergeNetworks, mergeModels):
  // two lists are one list of their names, each once
  if (base.kind === 'seq' && over.kind === 'seq' && isNullKeepsBase(path)) return unionByText(base, over, own);
  if (base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over, path, onConflict, own);
  if (isKeyedList(path) && base.kind !== over.kind && base.kind !== 'scalar' && over.kind !== 'scalar') {
    // `environment: {A: 1}` in one file and `environment: [A=2]` in the other: merge by name
    return mergeMaps(asMapping(base), asMapping(over), path, onConflict, own);
  }
  // compose refuses to merge a mapping with anything else ("cannot override"), except at the keys it
  // converts first; the override still wins here, so that rules see what the user meant
  if (base.kind === 'map' && isServiceAttribute(path) && !convertedBeforeMerging(path)) onConflict?.({ path, base, over, overKey: overKey ?? over.loc });
  if (isStringOrList(path) && base.kind !== 'map' && over.kind !== 'map') return appendAsLists(base, over, own);
  if (base.kind === 'seq' && over.kind === 'seq') {
    if (REPLACED.has(lastKeys(path))) return over;
    const unique = uniqueKeyOf(path);
    if (unique) return mergeUnique(base, over, path[2]!, unique, own);
    if (isKeyedList(path)) return mergeKeyedLists(base, over, own);
    const out = seqInto(base, own, 'append', null);
    pushAll(out.seq.items, over.items);
    return out.seq;
  }
  return over;
}

/**
 * The sequence to merge into: `base` itself when the merge of files made it, else a copy (that
 * merge's own from then on). `index` makes what the rule keeps of the items, when it keeps any.
 */
function seqInto<K extends SeqIndex['keys']>(base: LSeq, own: Own | null, rule: string, index: ((items: LItem[]) => K) | null): { seq: LSeq; keys: K } {
  const made = own?.seqs.get(base);
  if (made) {
    // the same place is merged by the same rule; another rule makes its own index once
    if (made.rule !== rule) {
      made.rule = rule;
      made.keys = index ? index(base.items) : null;
    }
    return { seq: base, keys: made.keys as K };
  }
  const seq: LSeq = { ...base, items: [...base.items] };
  const keys = (index ? index(seq.items) : null) as K;
  own?.seqs.set(seq, { rule, keys });
  return { seq, keys };
}

/**
 * Service keys compose reads as mappings (a list is turned into one), where a plain `null` in the
 * override is an empty mapping merged in: the base stays (compose-go override/merge_null_test.go).
 * Elsewhere a `null` replaces the base value (`!reset` removes it).
 */
const NULL_KEEPS_BASE = new Set(['networks', 'depends_on', 'models']);

function isNullKeepsBase(path: string[]): boolean {
  return path.length === 3 && path[0] === 'services' && NULL_KEEPS_BASE.has(path[2]!);
}

const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);
/**
 * Service keys written as a string or a list that merge as lists, duplicates kept (compose-spec
 * 05-services.md: "dns, dns_search, env_file, tmpfs ... should also be treated as sequences").
 */
const STRING_OR_LIST = new Set(['dns', 'dns_search', 'tmpfs']);

function isStringOrList(path: string[]): boolean {
  return path.length === 3 && path[0] === 'services' && STRING_OR_LIST.has(path[2]!);
}

function appendAsLists(base: LVal, over: LVal, own: Own | null): LVal {
  const itemsOf = (v: LVal): LItem[] => (v.kind === 'seq' ? v.items : [{ value: v }]);
  if (base.kind === 'seq') {
    const { seq } = seqInto(base, own, 'append', null);
    pushAll(seq.items, itemsOf(over));
    return seq;
  }
  const shell = over.kind === 'seq' ? over : { kind: 'seq' as const, loc: base.loc };
  const seq: LSeq = { ...shell, items: [...itemsOf(base), ...itemsOf(over)] };
  own?.seqs.set(seq, { rule: 'append', keys: null });
  return seq;
}
const KEYED_LISTS = new Set(['environment', 'labels', 'sysctls']);

function isKeyedList(path: string[]): boolean {
  return KEYED_LISTS.has(path[path.length - 1] ?? '') && path[0] === 'services';
}

/** The text of a list item that is a scalar (null for a mapping or a list). */
function textOf(it: LItem): string | null {
  return it.value.kind === 'scalar' ? String(it.value.value) : null;
}

/** The texts of list items, each once. */
function textsOf(items: LItem[]): Set<string | null> {
  return new Set(items.map(textOf));
}

/** Two lists as one, each item once (by its text), the base's first. */
function unionByText(base: LSeq, over: LSeq, own: Own | null): LSeq {
  const { seq, keys: seen } = seqInto(base, own, 'union', textsOf);
  const added = over.items.filter((it) => {
    const t = textOf(it);
    return t === null || !seen.has(t);
  });
  // the override's items are kept against the base's only (two equal ones of the override both stay)
  for (const it of added) seen.add(textOf(it));
  pushAll(seq.items, added);
  return seq;
}

function isExtraHosts(path: string[]): boolean {
  return path[0] === 'services' && ((path.length === 3 && path[2] === 'extra_hosts') || (path.length === 4 && path[2] === 'build' && path[3] === 'extra_hosts'));
}

/**
 * `extra_hosts` as compose merges it (compose-go override/merge.go, mergeExtraHosts): each side as
 * a list (a mapping's entries as `HOST=ADDRESS` items, sorted, one per address of a list), then the
 * override's items that the base does not have after the base's.
 */
function mergeExtraHosts(base: LVal, over: LVal, own: Own | null): LVal {
  const asList = (v: LVal): LItem[] => {
    if (v.kind === 'seq') return v.items;
    const out: Array<{ text: string; item: LItem }> = [];
    for (const e of (v as LMap).entries) {
      const values = e.value.kind === 'seq' ? e.value.items.map((i) => i.value) : [e.value];
      for (const val of values) {
        const text = val.kind === 'scalar' && val.value === null ? e.key : `${e.key}=${val.kind === 'scalar' ? String(val.value) : ''}`;
        out.push({ text, item: { value: { kind: 'scalar', value: text, loc: e.keyLoc } } });
      }
    }
    return out.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)).map((x) => x.item);
  };
  let into: { seq: LSeq; keys: Set<string | null> };
  if (base.kind === 'seq' && own?.seqs.has(base)) into = seqInto(base, own, 'hosts', textsOf);
  else {
    const left = asList(base);
    const seq: LSeq = { kind: 'seq', loc: (base.kind === 'seq' ? base : over).loc, items: base.kind === 'seq' ? [...left] : left };
    into = { seq, keys: textsOf(left) };
    own?.seqs.set(seq, { rule: 'hosts', keys: into.keys });
  }
  const right = asList(over).filter((it) => !into.keys.has(textOf(it)));
  for (const it of right) into.keys.add(textOf(it));
  pushAll(into.seq.items, right);
  return into.seq;
}

/**
 * A `KEY=VALUE` list as a mapping: each entry is located at its list item. The synthesised value
 * has no yaml node (it is part of a scalar, so a fix cannot replace it on its own).
 */
function asMapping(v: LVal): LMap {
  if (v.kind === 'map') return v;
  const entries: LEntry[] = [];
  for (const it of (v as LVal & { kind: 'seq' }).items) {
    if (it.value.kind !== 'scalar' || it.value.value === null) continue;
    const s = String(it.value.value);
    const eq = s.indexOf('=');
    const value: LScalar = { kind: 'scalar', value: eq < 0 ? null : s.slice(eq + 1), loc: it.value.loc };
    const entry: LEntry = { key: eq < 0 ? s : s.slice(0, eq), keyLoc: it.value.loc, value };
    if (it.via) entry.via = it.via;
    entries.push(entry);
  }
  return makeMap(v.loc, entries);
}

function lastKeys(path: string[]): string {
  const n = path.length;
  if (n >= 2 && path[n - 2] === 'healthcheck') return `healthcheck.${path[n - 1]}`;
  return path[n - 1] ?? '';
}

/** A mapping in one file and something else at the same place in the next: compose refuses the files. */
export type OnConflict = (c: { path: string[]; base: LMap; over: LVal; overKey: Loc }) => void;

/**
 * Service attributes compose (compose-go override/merge_node.go) converts before merging (a list
 * becomes a mapping, a string a build mapping, ...) or merges by its own rule: no "cannot override".
 */
const CONVERTED = new Set(['build', 'build.args', 'build.additional_contexts', 'build.extra_hosts', 'build.labels', 'annotations', 'depends_on', 'deploy.labels', 'dns', 'dns_opt', 'dns_search', 'env_file', 'label_file', 'environment', 'extra_hosts', 'labels', 'logging', 'models', 'networks', 'sysctls', 'tmpfs', 'command', 'entrypoint', 'healthcheck.test']);

/**
 * Conflicts are reported inside a service's attributes only: top-level networks, volumes, secrets
 * and configs written as `NAME:` (null) are read as empty definitions.
 */
function isServiceAttribute(path: string[]): boolean {
  return path[0] === 'services' && path.length >= 3;
}

function convertedBeforeMerging(path: string[]): boolean {
  // an extension (x-) key is the user's own: older compose replaces it whole
  if (path.some((k) => k.startsWith('x-'))) return true;
  const rest = path.slice(2);
  if (rest[0] === 'ulimits' && rest.length === 2) return true;
  if (rest[0] === 'volumes' && rest.length === 4 && rest[2] === 'volume' && rest[3] === 'labels') return true;
  return CONVERTED.has(rest.join('.'));
}

function mergeMaps(base: LMap, over: LMap, path: string[], onConflict: OnConflict | undefined, own: Own | null): LMap {
  let out = base;
  let slots = own?.maps.get(base);
  if (!slots) {
    out = makeMap(base.loc, [...base.entries]);
    if (base.yaml) out.yaml = base.yaml;
    if (base.mergedFrom) out.mergedFrom = [...base.mergedFrom];
    if (base.extendsKey) out.extendsKey = base.extendsKey;
    if (base.extendsFrom) out.extendsFrom = base.extendsFrom;
    slots = new MapSlots(out.entries);
    own?.maps.set(out, slots);
  }
  if (over.mergedFrom) out.mergedFrom = out.mergedFrom ? pushAll(out.mergedFrom, over.mergedFrom) : [...over.mergedFrom];
  if (over.extendsKey) out.extendsKey = over.extendsKey;
  if (over.extendsFrom) out.extendsFrom = over.extendsFrom;
  for (const e of over.entries) {
    const at = slots.find(e.key);
    if (at < 0) {
      if (e.value.tag === '!reset') continue;
      const v = dropResets(e.value);
      slots.add(v === e.value ? e : { ...e, value: v });
      continue;
    }
    const prev = slots.list[at]!;
    const merged = mergeValues(prev.value, e.value, [...path, e.key], onConflict, e.keyLoc, own);
    if (merged === null) {
      slots.remove(at);
      continue;
    }
    // Keep the base's key position for mappings merged into (the service is "defined" there);
    // a replaced scalar or sequence points at the override.
    slots.list[at] = merged === e.value ? e : { ...prev, value: merged };
  }
  // a merge of files settles its mappings at the end (FileMerge.result)
  if (!own) replaceEntries(out, slots.entries());
  return out;
}

/**
 * The entries of a mapping being merged into, and where each key is: an entry is found, replaced,
 * added or removed in constant time. (`setEntry` and a removal search the entries for the entry:
 * a merge of two files that change each of the n keys of one mapping took time that grew with n²:
 * a lint of one resetting each of the 100,000 variables the other sets took 5.4 s, now 0.8 s.) A
 * removed entry stays in `list` until `entries()`.
 */
class MapSlots {
  /** the places past SCAN_LIMIT entries: each key's last entry (the one a look-up finds) */
  private last: Map<string, number> | null = null;
  /** the places of a key's earlier entries, in order (a list read as a mapping may name a key twice) */
  private earlier: Map<string, number[]> | null = null;
  private removed: Set<number> | null = null;
  /** the mapping's entries, removed ones included */
  constructor(readonly list: LEntry[]) {}

  /** The place of the key's entry (its last one), or -1. */
  find(key: string): number {
    const list = this.list;
    if (this.last === null) {
      if (list.length <= SCAN_LIMIT) {
        for (let i = list.length - 1; i >= 0; i--) if (list[i]!.key === key && !this.removed?.has(i)) return i;
        return -1;
      }
      this.index();
    }
    return this.last!.get(key) ?? -1;
  }

  /** Add the entry of a key that has none. */
  add(entry: LEntry): void {
    this.last?.set(entry.key, this.list.length);
    this.list.push(entry);
  }

  /** Remove the entry at `at` (the key's last one): an earlier entry of the key is the key's again. */
  remove(at: number): void {
    (this.removed ??= new Set()).add(at);
    if (this.last === null) return;
    const key = this.list[at]!.key;
    const before = this.earlier?.get(key)?.pop();
    if (before === undefined) this.last.delete(key);
    else this.last.set(key, before);
  }

  /** The entries, without the removed ones. */
  entries(): LEntry[] {
    const removed = this.removed;
    return removed === null ? this.list : this.list.filter((_, i) => !removed.has(i));
  }

  private index(): void {
    const last = new Map<string, number>();
    this.list.forEach((e, i) => {
      if (this.removed?.has(i)) return;
      const before = last.get(e.key);
      if (before !== undefined) {
        const earlier = (this.earlier ??= new Map());
        const places = earlier.get(e.key);
        if (places) places.push(before);
        else earlier.set(e.key, [before]);
      }
      last.set(e.key, i);
    });
    this.last = last;
  }
}


function uniqueKeyOf(path: string[]): ((v: LVal) => string | null) | null {
  if (path[0] !== 'services' || path.length !== 3) return null;
  const k = path[2];
  if (k === 'volumes' || k === 'secrets' || k === 'configs') return (v) => targetOf(v, k);
  if (k === 'ports') return portKey;
  return null;
}

function scalarAt(v: LVal, key: string): string | null {
  if (v.kind !== 'map') return null;
  const e = v.index.get(key);
  return e && e.value.kind === 'scalar' && e.value.value !== null ? String(e.value.value) : null;
}

function targetOf(v: LVal, kind: string): string | null {
  if (v.kind === 'scalar') {
    const s = String(v.value ?? '');
    if (kind === 'volumes') {
      const parts = s.split(':');
      return parts.length > 1 ? parts[1]! : parts[0]!;
    }
    return `/run/${kind}/${s}`;
  }
  const t = scalarAt(v, 'target');
  if (t) return t;
  const src = scalarAt(v, 'source');
  return kind === 'volumes' ? null : src ? `/run/${kind}/${src}` : null;
}

/** {ip, target, published, protocol}, the same for `"8080:80"` and `{target: 80, published: 8080}`. */
function portKey(v: LVal): string | null {
  if (v.kind === 'scalar') {
    const p = parseShortPort(String(v.value ?? ''));
    return [p.hostIp ?? '', p.target, p.published ?? '', p.protocol || 'tcp'].join('|');
  }
  return [scalarAt(v, 'host_ip') ?? '', scalarAt(v, 'target') ?? '', scalarAt(v, 'published') ?? '', scalarAt(v, 'protocol') ?? 'tcp'].join('|');
}

function mergeUnique(base: LSeq, over: LSeq, rule: string, keyOf: (v: LVal) => string | null, own: Own | null): LVal {
  // the place of each key: of a key written twice in the base, its last item (which the override replaces)
  const places = (items: LItem[]) => {
    const pos = new Map<string, number>();
    items.forEach((it, i) => {
      const k = keyOf(it.value);
      if (k !== null) pos.set(k, i);
    });
    return pos;
  };
  const { seq, keys: pos } = seqInto(base, own, rule, places);
  const items = seq.items;
  for (const it of over.items) {
    const k = keyOf(it.value);
    const i = k === null ? undefined : pos.get(k);
    if (i === undefined) {
      if (k !== null) pos.set(k, items.length);
      items.push(it);
    } else items[i] = it;
  }
  return seq;
}

/** `environment: [A=1]` lists merge by variable name. */
function mergeKeyedLists(base: LSeq, over: LSeq, own: Own | null): LVal {
  const keyOf = (v: LVal) => (v.kind === 'scalar' ? String(v.value ?? '').split('=')[0]! : null);
  return mergeUnique(base, over, 'keyed', keyOf, own);
}

/** Whether a `!reset` or `!override` tag is anywhere in a value (a walk that allocates nothing). */
export function hasComposeTag(v: LVal): boolean {
  if (v.tag === '!reset' || v.tag === '!override') return true;
  if (v.kind === 'map') {
    for (let i = 0; i < v.entries.length; i++) if (hasComposeTag(v.entries[i]!.value)) return true;
  } else if (v.kind === 'seq') {
    for (let i = 0; i < v.items.length; i++) if (hasComposeTag(v.items[i]!.value)) return true;
  }
  return false;
}

/**
 * A value with its `!reset` and `!override` tags taken off, as docker stack deploy reads them (it
 * knows no such tag): the value as written. One walk; only what holds a tag is copied.
 */
export function withoutComposeTags(v: LVal): LVal {
  let own: LVal = v;
  if (v.tag === '!reset' || v.tag === '!override') {
    const { tag: _tag, ...rest } = v;
    own = rest as LVal;
  }
  if (own.kind === 'map') {
    const entries = withChildValues(own.entries, withoutComposeTags);
    if (!entries && own === v) return v;
    const out = withEntries(own, entries ?? own.entries);
    if (own.tag) out.tag = own.tag;
    return out;
  }
  if (own.kind === 'seq') {
    const items = withChildValues(own.items, withoutComposeTags);
    return items || own !== v ? { ...own, items: items ?? own.items } : v;
  }
  return own;
}

/** The entries or items with `f` applied to each value, copied only where it changed; null when none did. */
function withChildValues<T extends { value: LVal }>(children: T[], f: (v: LVal) => LVal): T[] | null {
  let changed = false;
  const out = children.map((c) => {
    const nv = f(c.value);
    if (nv === c.value) return c;
    changed = true;
    return { ...c, value: nv };
  });
  return changed ? out : null;
}

/** Remove `!reset` values that nothing was merged under (a file read alone, or the first of several). */
export function dropResets(v: LVal): LVal {
  return hasReset(v) ? withoutResets(v) : v;
}

/** Whether a `!reset` value is anywhere in a mapping (a walk that allocates nothing: most files have none). */
function hasReset(v: LVal): boolean {
  if (v.kind !== 'map') return false;
  const entries = v.entries;
  for (let i = 0; i < entries.length; i++) {
    const value = entries[i]!.value;
    if (value.tag === '!reset' || hasReset(value)) return true;
  }
  return false;
}

function withoutResets(v: LVal): LVal {
  if (v.kind === 'map') {
    if (!v.entries.some((e) => e.value.tag === '!reset' || e.value.kind !== 'scalar')) return v;
    let changed = false;
    const entries: LEntry[] = [];
    for (const e of v.entries) {
      if (e.value.tag === '!reset') {
        changed = true;
        continue;
      }
      const nv = withoutResets(e.value);
      if (nv !== e.value) changed = true;
      entries.push(nv === e.value ? e : { ...e, value: nv });
    }
    if (!changed) return v;
    return withEntries(v, entries);
  }
  return v;
}

/** A mapping like `map` (its place, yaml node, merges and `extends` marks) with other entries. */
function withEntries(map: LMap, entries: LEntry[]): LMap {
  const out = makeMap(map.loc, entries);
  if (map.yaml) out.yaml = map.yaml;
  if (map.mergedFrom) out.mergedFrom = map.mergedFrom;
  if (map.extendsKey) out.extendsKey = map.extendsKey;
  if (map.extendsFrom) out.extendsFrom = map.extendsFrom;
  return out;
}
