/**
 * The fixer API rules use (as ESLint hands its rules a `fixer`): the one place a rule gets what it
 * needs to describe a fix. Rules say what should exist (`add`), change (`replace`), grow (`append`)
 * or be renamed (`rename`) at located nodes, and the builder turns that into text edits on the file
 * the nodes were written in. Everything a builder collects is one fix: applied together or not at
 * all. `src/fix/` applies these edits, pass by pass, and writes the files.
 */
import type { Fix, TextEdit } from './types.js';
import { at, child, type LRef } from '../model/access.js';
import type { Service, Stack } from '../model/types.js';
import type { LEntry, LVal } from '../parse/located.js';
import { formatPath } from '../parse/location.js';
import type { SourceFile } from '../parse/source-file.js';
import { editsConflict, sortEdits, type YamlTextEdit } from './text-edits.js';
import { isMapValue, quoteString, Quoted, renderScalar, type YamlValue } from './yaml-render.js';
import { styleOf } from './yaml-style.js';
import { appendToSeq, fillEmptyValue, hasWrittenKey, insertIntoMap, renameKey, replaceScalar, replaceScalarCommented } from './yaml-edits.js';
import { pushAll } from '../parse/collect.js';
import { kindOf, rangeOf, type EditNode, type EditPair } from './yaml-nodes.js';

/** The values a rule writes into a fix: `flow([...])` for a flow sequence, `quoted('1000')` for a quoted string, `commented(v, text)` for a value with a trailing comment. */
export { commented, flow, quoted, type YamlValue } from './yaml-render.js';

type MapTree = { [key: string]: YamlValue };

interface PendingMap {
  kind: 'map';
  source: SourceFile;
  node: EditNode;
  tree: MapTree;
}
interface PendingEmpty {
  kind: 'empty';
  source: SourceFile;
  pair: EditPair;
  tree: MapTree;
}
interface PendingSeq {
  kind: 'seq';
  source: SourceFile;
  node: EditNode;
  items: YamlValue[];
}

/**
 * A fix that cannot be made, with the reason: no edits, the reason as description. The fixer
 * reports it as a finding it left, and why.
 */
export function noFix(reason: string): Fix {
  return { file: '', edits: [], description: reason };
}

export function isNoFix(fix: Fix): boolean {
  return fix.edits.length === 0;
}

/** `{a: {b: value}}` from the path `[a, b]`. */
export function nest(path: readonly string[], value: YamlValue): YamlValue {
  let v = value;
  for (let i = path.length - 1; i >= 0; i--) v = { [path[i]!]: v };
  return v;
}

function mergeInto(target: MapTree, add: MapTree): void {
  for (const [k, v] of Object.entries(add)) {
    const cur = target[k];
    if (cur !== undefined && isMapValue(cur) && isMapValue(v)) mergeInto(cur, v);
    else if (cur === undefined) target[k] = v;
  }
}

export class FixBuilder {
  private pending = new Map<unknown, PendingMap | PendingEmpty | PendingSeq>();
  private replacements: Array<{ source: SourceFile; edit: TextEdit }> = [];
  private failure: string | null = null;
  /** the yaml nodes this fix edits (to find which services share them) */
  readonly targets = new Set<EditNode>();

  constructor(
    public description: string,
    readonly unsafe = false,
  ) {}

  /** Why `build` returns no edits, when it does not. */
  get reason(): string | null {
    return this.failure;
  }

  fail(reason: string): this {
    this.failure ??= reason;
    return this;
  }

  /**
   * Make `path` under `base` hold `value`: missing mappings along the path are created, a mapping
   * value adds only its keys that are missing, a scalar that already exists is left alone.
   */
  add(base: LRef, path: readonly string[], value: YamlValue): this {
    if (this.failure) return this;
    let cur = base;
    let parent: LRef | null = null;
    for (let i = 0; i < path.length; i++) {
      if (cur.node.kind !== 'map') return this.addUnderEmpty(cur, parent, nest(path.slice(i), value));
      const next = child(cur, path[i]!);
      if (!next) return this.addInto(cur, path[i]!, nest(path.slice(i + 1), value));
      parent = cur;
      cur = next;
    }
    if (isMapValue(value)) {
      if (cur.node.kind !== 'map') return this.addUnderEmpty(cur, parent, value);
      for (const [k, v] of Object.entries(value)) this.add(cur, [k], v);
    }
    return this;
  }

  private addInto(map: LRef, key: string, value: YamlValue): this {
    const node = map.node.yaml;
    const source = sourceOf(map.node);
    if (!node || kindOf(node) !== 'map' || !source) return this.fail(`${where(map)} was not written in a file this fixer can edit`);
    if (hasWrittenKey(node, key)) return this.fail(`${where(map)}.${key} is reset or overridden in another file`);
    let p = this.pending.get(node);
    if (!p) {
      p = { kind: 'map', source, node, tree: {} };
      this.pending.set(node, p);
    }
    if (p.kind !== 'map') return this.fail('conflicting edits');
    mergeInto(p.tree, { [key]: value });
    this.targets.add(node);
    return this;
  }

  private addUnderEmpty(ref: LRef, parent: LRef | null, value: YamlValue): this {
    const pair = ref.entry?.pair;
    const source = sourceOf(ref.node);
    if (ref.node.kind !== 'scalar' || ref.node.value !== null || ref.node.raw !== undefined || !pair || !source || !isMapValue(value)) {
      return this.fail(`${where(ref)} is not a mapping`);
    }
    if (ref.shared || ref.entry?.via) return this.fail(`${where(ref)} is shared through an anchor`);
    let p = this.pending.get(pair);
    if (!p) {
      p = { kind: 'empty', source, pair, tree: {} };
      this.pending.set(pair, p);
    }
    if (p.kind !== 'empty') return this.fail('conflicting edits');
    mergeInto(p.tree, value);
    if (parent?.node.yaml) this.targets.add(parent.node.yaml);
    return this;
  }

  /**
   * Make the scalar at `path` under `base` equal `value`, whatever is there now: a missing key is
   * added, a value written in place is replaced in its quoting style, a value that arrives through
   * a `<<` merge key is overridden by a key of the service's own mapping, a `*alias` value is
   * replaced by the value (the anchor stays for its other users).
   */
  set(base: LRef, path: readonly string[], value: string | number | boolean | Quoted): this {
    if (this.failure) return this;
    const parent = at(base, ...path.slice(0, -1));
    const key = path[path.length - 1]!;
    if (!parent || parent.node.kind !== 'map') return this.add(base, path, value);
    const entry = parent.node.index.get(key);
    if (!entry) return this.add(base, path, value);
    if (entry.via?.kind === 'merge' && !parent.shared) {
      // an own key in front of the merged one (explicit keys win over `<<`)
      return this.addInto(parent, key, value);
    }
    const ref = child(parent, key)!;
    const emptyValue = emptyScalarAfterKey(entry);
    if (emptyValue && !parent.shared && !entry.via) {
      // `user:` with nothing after it: write ` value` right after the colon
      const text = value instanceof Quoted ? quoteString(value.value, styleOf(emptyValue.source).quote) : renderScalar(value, styleOf(emptyValue.source), false);
      this.replacements.push({ source: emptyValue.source, edit: { start: emptyValue.colon + 1, end: emptyValue.colon + 1, text: ` ${text}` } });
      if (parent.node.yaml) this.targets.add(parent.node.yaml);
      return this;
    }
    if (entry.via?.kind === 'alias' && !parent.shared && entry.pair && kindOf(entry.pair.value) === 'alias' && entry.keyLoc.kind === 'file') {
      const source = entry.keyLoc.source;
      const r = rangeOf(entry.pair.value);
      if (!r) return this.fail(`${where(ref)} has no position`);
      const text = value instanceof Quoted ? quoteString(value.value, styleOf(source).quote) : renderScalar(value, styleOf(source), false);
      this.replacements.push({ source, edit: { start: r[0], end: r[1], text } });
      if (parent.node.yaml) this.targets.add(parent.node.yaml);
      return this;
    }
    return this.replace(ref, value instanceof Quoted ? value.value : value, value instanceof Quoted);
  }

  /**
   * Replace a scalar's value in its own quoting style. A value written with `${VAR}` is not
   * replaced. With `comment`, the value gets that trailing comment where its line has none (or has
   * one that `comment.replaceable` recognises as written by an earlier fix).
   */
  replace(ref: LRef, value: string | number | boolean | null, forceQuotes = false, comment?: { text: string; replaceable: (c: string) => boolean }): this {
    if (this.failure) return this;
    const node = ref.node.yaml;
    const source = sourceOf(ref.node);
    if (ref.node.kind !== 'scalar' || !node || kindOf(node) !== 'scalar' || !source) return this.fail(`${where(ref)} is not a scalar written in a file`);
    if (ref.node.raw !== undefined) return this.fail(`${where(ref)} comes from a variable (${ref.node.raw}); change the variable instead`);
    const edit = comment ? replaceScalarCommented(source, node, value, comment.text, comment.replaceable, forceQuotes) : replaceScalar(source, node, value, forceQuotes);
    if (!edit) return this.fail(`${where(ref)} is a block scalar`);
    this.replacements.push({ source, edit });
    this.targets.add(node);
    return this;
  }

  /** Append items to a sequence (block or flow). */
  append(ref: LRef, items: readonly YamlValue[]): this {
    if (this.failure) return this;
    const node = ref.node.yaml;
    const source = sourceOf(ref.node);
    if (ref.node.kind !== 'seq' || !node || kindOf(node) !== 'seq' || !source) return this.fail(`${where(ref)} is not a sequence written in a file`);
    let p = this.pending.get(node);
    if (!p) {
      p = { kind: 'seq', source, node, items: [] };
      this.pending.set(node, p);
    }
    if (p.kind !== 'seq') return this.fail('conflicting edits');
    pushAll(p.items, items);
    this.targets.add(node);
    return this;
  }

  /**
   * Rename `key` of the mapping `map` to `newKey` in place (value, comments and position stay). The
   * key must be written in that mapping (not merged in with `<<`) and `newKey` must be free.
   */
  rename(map: LRef, key: string, newKey: string): this {
    if (this.failure) return this;
    const entry = map.node.kind === 'map' ? map.node.index.get(key) : undefined;
    const node = map.node.yaml;
    if (!entry || !node || kindOf(node) !== 'map') return this.fail(`${where(map)}.${key} is not a key written in a file`);
    if (entry.via?.kind === 'merge') return this.fail(`${where(map)}.${key} comes from a << merge key; rename it where it is defined`);
    if (map.node.kind === 'map' && (map.node.index.has(newKey) || hasWrittenKey(node, newKey))) return this.fail(`${where(map)} already has a key ${newKey}`);
    const keyNode = entry.pair?.key as EditNode | null | undefined;
    const loc = entry.keyLoc;
    if (!keyNode || loc.kind !== 'file') return this.fail(`${where(map)}.${key} has no key to rename`);
    const edit = renameKey(loc.source, keyNode, newKey);
    if (!edit) return this.fail(`the key ${key} is not a plain or quoted scalar`);
    this.replacements.push({ source: loc.source, edit });
    this.targets.add(node);
    return this;
  }

  /** The fix, or a `noFix` that says why there is none. */
  build(): Fix {
    if (this.failure) return noFix(this.failure);
    let source: SourceFile | null = null;
    const edits: YamlTextEdit[] = [];
    const take = (s: SourceFile, e: YamlTextEdit | TextEdit | null): boolean => {
      if (!e) return false;
      if (source && source !== s && source.path !== s.path) return false;
      source = s;
      edits.push(e);
      return true;
    };
    for (const p of this.pending.values()) {
      let e: YamlTextEdit | null = null;
      if (p.kind === 'map') e = insertIntoMap(p.source, p.node, Object.entries(p.tree));
      else if (p.kind === 'empty') e = fillEmptyValue(p.source, p.pair, p.tree);
      else e = appendToSeq(p.source, p.node, p.items);
      if (!take(p.source, e)) return noFix(e ? 'the edits would span two files' : 'no edit could be built for this YAML layout');
    }
    for (const r of this.replacements) if (!take(r.source, r.edit)) return noFix('the edits would span two files');
    if (!source || edits.length === 0) return noFix('nothing to change');
    const merged = mergeSamePoint(edits);
    for (let i = 0; i < merged.length; i++) {
      for (let j = i + 1; j < merged.length; j++) if (editsConflict(merged[i]!, merged[j]!)) return noFix('the edits of this fix overlap');
    }
    const fix: Fix = { file: (source as SourceFile).path, edits: merged, description: this.description };
    if (this.unsafe) fix.unsafe = true;
    return fix;
  }
}

/** Insertions of one fix at one offset become one edit: deeper mapping first. */
function mergeSamePoint(edits: YamlTextEdit[]): YamlTextEdit[] {
  const out: YamlTextEdit[] = [];
  for (const e of sortEdits(edits)) {
    const prev = out[out.length - 1];
    if (prev && prev.start === prev.end && e.start === e.end && prev.start === e.start && prev.insert && e.insert) {
      out[out.length - 1] = {
        start: prev.start,
        end: prev.end,
        text: prev.text + e.text,
        insert: { container: `${prev.insert.container}+${e.insert.container}`, keys: [...prev.insert.keys, ...e.insert.keys], indent: Math.min(prev.insert.indent, e.insert.indent) },
      };
    } else out.push(e);
  }
  return out;
}

/** A key written with no value (`user:`): the offset of its colon. */
function emptyScalarAfterKey(entry: LEntry): { source: SourceFile; colon: number } | null {
  const v = entry.value;
  if (v.kind !== 'scalar' || v.value !== null || v.raw !== undefined || entry.keyLoc.kind !== 'file') return null;
  const r = rangeOf(entry.pair?.value);
  if (r && r[1] > r[0]) return null; // an explicit null or ~
  const source = entry.keyLoc.source;
  const text = source.text;
  let i = entry.keyLoc.end;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text[i] === ':' ? { source, colon: i } : null;
}

function sourceOf(v: LVal): SourceFile | null {
  return v.loc.kind === 'file' ? v.loc.source : null;
}

function where(ref: LRef): string {
  return formatPath(ref.path) || 'the document';
}

// ---------------------------------------------------------------------------------------------
// Values shared through anchors, aliases, `<<` merge keys and `extends`

/** The services that reach each node: one name, or a set of them when several do. */
const usersCache = new WeakMap<Stack, Map<EditNode, string | Set<string>>>();

/** Which services reach a yaml node (through their own keys, aliases, merge keys or `extends`). */
export function servicesUsing(stack: Stack, node: EditNode): Set<string> {
  let map = usersCache.get(stack);
  if (!map) {
    const users = new Map<EditNode, string | Set<string>>();
    map = users;
    // the service whose walk last met a value (a value is walked once per service that reaches it)
    const metBy = new Map<LVal, Service>();
    for (const svc of stack.services) {
      const walk = (v: LVal) => {
        if (metBy.get(v) === svc) return;
        metBy.set(v, svc);
        if (v.yaml) {
          const s = users.get(v.yaml);
          if (s === undefined) users.set(v.yaml, svc.name);
          else if (typeof s === 'string') {
            if (s !== svc.name) users.set(v.yaml, new Set([s, svc.name]));
          } else s.add(svc.name);
        }
        if (v.kind === 'map') {
          for (const e of v.entries) walk(e.value);
          // a mapping merged in with `<<` is changed for every mapping that merges it
          for (const m of v.mergedFrom ?? []) walk(m);
        }
        else if (v.kind === 'seq') for (const it of v.items) walk(it.value);
      };
      walk(svc.ref.node);
    }
    usersCache.set(stack, map);
  }
  const s = map.get(node);
  return s === undefined ? new Set() : typeof s === 'string' ? new Set([s]) : s;
}

/**
 * What can be shared in a stack, found without the walk of `servicesUsing`: the nodes reached through
 * an alias or a `<<` merge key anywhere in a service (`shared`), and whether anything else can put
 * one service's nodes into another's tree (`exact`: `extends`, a service that is itself an alias,
 * several files). A node of neither kind is reached only by the service whose mapping holds it.
 */
interface Sharing {
  exact: boolean;
  shared: Set<EditNode>;
}
const sharingCache = new WeakMap<Stack, Sharing>();

function sharingOf(stack: Stack): Sharing {
  let s = sharingCache.get(stack);
  if (s) return s;
  let exact = stack.files.length !== 1;
  const roots: LVal[] = [];
  // the service's own tree: no step through an alias or a merge key (it is a tree, each node met once)
  const own = (v: LVal): void => {
    if (v.kind === 'map') {
      for (const e of v.entries) {
        if (e.via) roots.push(e.value);
        else own(e.value);
      }
      if (v.mergedFrom) for (const m of v.mergedFrom) roots.push(m);
    } else if (v.kind === 'seq') {
      for (const it of v.items) {
        if (it.via) roots.push(it.value);
        else own(it.value);
      }
    }
  };
  for (const svc of stack.services) {
    const node = svc.ref.node;
    if (svc.ref.shared || node.extendsFrom || node.extendsKey || node.loc.kind !== 'file' || node.loc.source !== stack.files[0]) exact = true;
    else own(node);
  }
  const shared = new Set<EditNode>();
  if (!exact) {
    // everything below a shared value, each value once (aliases may nest)
    const seen = new Set<LVal>();
    const mark = (v: LVal): void => {
      if (seen.has(v)) return;
      seen.add(v);
      if (v.yaml) shared.add(v.yaml);
      if (v.kind === 'map') {
        for (const e of v.entries) mark(e.value);
        if (v.mergedFrom) for (const m of v.mergedFrom) mark(m);
      } else if (v.kind === 'seq') for (const it of v.items) mark(it.value);
    };
    for (const r of roots) mark(r);
  }
  s = { exact, shared };
  sharingCache.set(stack, s);
  return s;
}

/**
 * Whether the service is the only one that reaches every target, known without `servicesUsing`:
 * one file, no `extends`, and each target written inside the service's own mapping and not
 * reached through an alias or a merge key. False means "ask servicesUsing", not "shared".
 */
export function reachedOnlyBy(stack: Stack, svc: Service, targets: ReadonlySet<EditNode>): boolean {
  const sharing = sharingOf(stack);
  if (sharing.exact) return false;
  const own = rangeOf(svc.ref.node.yaml);
  if (!own) return false;
  for (const t of targets) {
    if (sharing.shared.has(t)) return false;
    const r = rangeOf(t);
    if (!r || r[0] < own[0] || r[1] > own[1]) return false;
  }
  return true;
}

/** A number for each yaml node a fix targets, to name a set of targets. */
const nodeIds = new WeakMap<EditNode, number>();
let nextNodeId = 0;
function nodeId(n: EditNode): number {
  let id = nodeIds.get(n);
  if (id === undefined) nodeIds.set(n, (id = nextNodeId++));
  return id;
}

interface SharedCache {
  /** the services of the stack by name */
  byName: Map<string, Service>;
  /** every service that reaches one of a set of targets, sorted, by the set's key */
  groups: Map<string, string[]>;
  /** the verdict on a shared edit, by targets and edits: null when every user needs it, else the first one that does not */
  verdicts: Map<string, string | null>;
}
const sharedCache = new WeakMap<Stack, SharedCache>();

/** Names listed in a fix description; the rest are counted. */
const NAMES_SHOWN = 5;

/**
 * Build a service's fix, taking care of values it shares with other services. When an edit lands
 * on a node other services also reach (an anchor, a `<<` merge source, an `extends` base), the edit
 * is made only if every one of those services needs exactly the same edit; otherwise there is no
 * fix (and the reason says which services disagree).
 *
 * The verdict on one shared edit is reached once per stack: the services of a group are asked
 * once, not once for every member (10,000 services merging one anchor would otherwise build 10^8 fixes).
 */
export function buildSharedFix(stack: Stack, svc: Service, make: (s: Service) => FixBuilder | null): Fix {
  const b = make(svc);
  if (!b) return noFix('no fix for this service');
  const fix = b.build();
  if (isNoFix(fix)) return fix;
  if (reachedOnlyBy(stack, svc, b.targets)) return fix;
  let cache = sharedCache.get(stack);
  if (!cache) {
    cache = { byName: new Map(), groups: new Map(), verdicts: new Map() };
    for (const s of stack.services) if (!cache.byName.has(s.name)) cache.byName.set(s.name, s);
    sharedCache.set(stack, cache);
  }
  const ids: number[] = [];
  for (const t of b.targets) ids.push(nodeId(t));
  const targetsKey = ids.sort((x, y) => x - y).join(',');
  let group = cache.groups.get(targetsKey);
  if (!group) {
    const users = new Set<string>();
    for (const t of b.targets) for (const n of servicesUsing(stack, t)) users.add(n);
    group = [...users].sort();
    cache.groups.set(targetsKey, group);
  }
  if (group.length === 0 || (group.length === 1 && group[0] === svc.name)) return fix;
  const verdictKey = `${targetsKey}\u0000${editsSignature(fix)}`;
  let disagree = cache.verdicts.get(verdictKey);
  if (disagree === undefined || disagree === svc.name) {
    disagree = null;
    for (const name of group) {
      if (name === svc.name) continue;
      const other = cache.byName.get(name);
      const of = other ? make(other)?.build() : undefined;
      if (!of || isNoFix(of) || !sameEdits(of, fix)) {
        disagree = name;
        break;
      }
    }
    cache.verdicts.set(verdictKey, disagree);
  }
  if (disagree !== null) {
    return noFix(`the value to change is shared (anchor, merge key or extends) with service "${disagree}", which needs a different change; give each service its own value`);
  }
  return { ...fix, description: `${fix.description} (in the shared definition used by ${describeUsers(svc.name, group)})` };
}

/** `"a", "b", "c"`, the service itself first; beyond a few names, how many more. */
function describeUsers(self: string, group: readonly string[]): string {
  const shown = [self];
  for (const n of group) {
    if (shown.length >= NAMES_SHOWN) break;
    if (n !== self) shown.push(n);
  }
  const more = group.length + (includesSorted(group, self) ? 0 : 1) - shown.length;
  const list = shown.map((n) => `"${n}"`).join(', ');
  return more > 0 ? `${list} and ${more} other service${more === 1 ? '' : 's'}` : list;
}

function includesSorted(sorted: readonly string[], name: string): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < name) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo] === name;
}

function editsSignature(f: Fix): string {
  let s = f.file;
  for (const e of f.edits) s += `\u0001${e.start}:${e.end}:${e.text}`;
  return s;
}

export function sameEdits(a: Fix, b: Fix): boolean {
  if (a.file !== b.file || a.edits.length !== b.edits.length) return false;
  return a.edits.every((e, i) => e.start === b.edits[i]!.start && e.end === b.edits[i]!.end && e.text === b.edits[i]!.text);
}

/**
 * Why a fix leaves a service alone that names neither `image` nor `build` in the file fixed: an
 * override fixed on its own completes a service of another file, and what it needs (whether it
 * keeps state, the limits it has) is written there; null when the service names one of them.
 */
export function completesAnotherFile(s: Service): string | null {
  if (s.image || child(s.ref, 'build') !== undefined) return null;
  return `service "${s.name}" names no image and no build in this file, so the rest of it is in another one: fix the two together (-f base.yml -f this.yml)`;
}
