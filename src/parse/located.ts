import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Alias,
  type Document,
  type Node as YamlNode,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { fileLoc, positionOf, type FileLoc, type Loc } from './location.js';
import { hasInterpolation, interpolate, interpolateStack, type Env, type InterpolationIssue, type InterpolationMode, type StackReading } from './interpolate.js';
import type { SourceFile } from './source-file.js';
import type { FastMap, FastNode, FastPair } from './fast-yaml.js';
import { fitsInt64, goBoolean, isGoInt } from './go-values.js';
import { keyRefusalMessage, keyRefusals } from './go-yaml-keys.js';
import { BASE64 } from './go-yaml-tags.js';

/** YAML's tag for base64 bytes, which docker's readers decode into the value. */
const BINARY_TAG = 'tag:yaml.org,2002:binary';

/**
 * The located value tree: what a compose document says, after aliases, `<<` merge keys and
 * interpolation, with every node still knowing where in which file it was written.
 * A node reached through `*alias` or `<<` is the very object defined at the anchor, so its
 * location is the anchor's definition; the entry or item that reaches it records how (`via`).
 */
export type LVal = LScalar | LMap | LSeq;

interface LBase {
  loc: Loc;
  /** the node this value was built from, yaml's or the fast reader's (absent for live objects and merge results, and when no fixes are built) */
  yaml?: YamlNode | FastNode;
  /** a YAML tag such as `!reset` or `!override` */
  tag?: string;
  /** the anchor (`&name`) written on this node: its aliases reach this very object */
  anchor?: string;
}

export interface LScalar extends LBase {
  kind: 'scalar';
  /** the value after interpolation, typed as YAML would (plain scalars) */
  value: string | number | boolean | null;
  /** the value as written, when interpolation changed it */
  raw?: string;
  /**
   * true when a variable that is set (in the environment or an env file) went into the value:
   * messages then show `raw`, what the file wrote, never the value (it may be a CI secret)
   */
  fromEnv?: boolean;
}

export interface LMap extends LBase {
  kind: 'map';
  entries: LEntry[];
  /** key → entry (of a key written twice, the last one: a yaml-syntax error, read as yaml.v3 reads it) */
  index: KeyIndex;
  /**
   * `index.get(key)`, asked of the mapping itself (it is its own index, see `LocatedMap`): one call
   * rather than two (the `index` getter, then `get`) in code that mostly runs unoptimised, as
   * `child` (src/model/access.ts) does for every step of a walk.
   */
  get(key: string): LEntry | undefined;
  /** the mappings merged in with `<<` (a change to one of them changes this mapping too) */
  mergedFrom?: LMap[];
  /**
   * the entries of keys written again further down this mapping (a yaml-syntax error: docker
   * refuses the file), in the order written; `entries` and `index` hold the last of each, as
   * yaml.v3 keeps it. A check that would report a name as missing asks here whether an earlier copy
   * declares it (`namesInEarlierCopies`).
   */
  superseded?: LEntry[];
  /** where the service's `extends` key was written (`extends` is resolved while loading and leaves the tree) */
  extendsKey?: Loc;
  /** the services `extends` merged in (the base, its own base, ...): what lies in them is inherited */
  extendsFrom?: ExtendsChain;
}

/**
 * The services an `extends` chain merged in, nearest first. A link shares the rest with its base:
 * a copy of the whole chain per link made a chain of n links hold n²/2 locations (16,000 links
 * took 1.4 GB).
 */
export interface ExtendsChain {
  loc: Loc;
  rest: ExtendsChain | undefined;
}

export interface LSeq extends LBase {
  kind: 'seq';
  items: LItem[];
}

/** How a value was reached when it is shared with another place. */
export interface Via {
  kind: 'alias' | 'merge';
  /** where the `*alias` or the `<<` key was written */
  loc: Loc;
}

export interface LEntry {
  key: string;
  keyLoc: Loc;
  value: LVal;
  via?: Via;
  /** the pair (yaml's or the fast reader's), when the entry was written in a file and fixes are built */
  pair?: Pair | FastPair;
}

export interface LItem {
  value: LVal;
  via?: Via;
}

/** A node in the tree after a path walk: the value, its YAML path and whether it is shared. */
export interface LRef<T extends LVal = LVal> {
  value: T;
  path: string[];
  /** true when any step of the walk went through an alias or a merge key */
  shared: boolean;
  /** the entry that holds it, when it is a mapping value */
  entry?: LEntry;
}

export interface BuildIssue {
  ruleId: 'yaml-syntax' | 'interpolation';
  severity: 'error' | 'warning';
  message: string;
  loc: Loc;
  /** the YAML path of the value concerned, when known */
  path?: string[];
  /** an error after which the document is still read (a duplicate key: the last value counts) */
  readOn?: boolean;
  /** what only docker compose refuses (target compose) */
  composeOnly?: true;
  /** what only docker stack deploy refuses (target swarm), in a file it reads (not through `extends` or `include`) */
  swarmOnly?: true;
}

/** The largest number of nodes a document may expand to through aliases (a billion-laughs bound). */
export const MAX_EXPANDED_NODES = 1_000_000;

/** The value under a key of a located mapping (no alias or shared tracking: use model/access for that). */
export function mapGet(map: LMap, key: string): LVal | undefined {
  return map.index.get(key)?.value;
}

export function isLMap(v: LVal | undefined): v is LMap {
  return v?.kind === 'map';
}
export function isLSeq(v: LVal | undefined): v is LSeq {
  return v?.kind === 'seq';
}
export function isLScalar(v: LVal | undefined): v is LScalar {
  return v?.kind === 'scalar';
}

/**
 * The key index of a located mapping: the entry of a key (of a key written twice, the last one).
 * It reads the mapping's own `entries`, last first, while they are few (most mappings of a compose
 * file hold a handful of keys, and a `Map` per mapping was the largest part of a large file's
 * tree); past SCAN_LIMIT entries it keeps a `Map`, built on the first look-up. Whoever changes
 * `entries` tells the index: `set` after adding or replacing an entry, `delete` after removing one
 * (as `setEntry` does).
 */
export interface KeyIndex {
  get(key: string): LEntry | undefined;
  has(key: string): boolean;
  /** Record that `entry` (already in `entries`) is the one of its key. */
  set(key: string, entry: LEntry): void;
  /** Record that `key` (already removed from `entries`) has no entry. */
  delete(key: string): void;
  /** The keys, each once, in the order they were first written. */
  keys(): IterableIterator<string>;
}

/**
 * A located mapping made by makeMap: it is its own key index (an index object per mapping was
 * 40 bytes, about six per service of a large file).
 */
class LocatedMap implements KeyIndex {
  // `declare`d and set in the constructor, in this order: class fields would each be defined on
  // every new mapping before the constructor runs (see `Ref` in src/model/access.ts)
  declare loc: Loc;
  declare entries: LEntry[];
  declare readonly kind: 'map';
  declare private byKey: Map<string, LEntry> | null;
  constructor(loc: Loc, entries: LEntry[]) {
    this.loc = loc;
    this.entries = entries;
    this.kind = 'map';
    this.byKey = null;
  }

  get index(): KeyIndex {
    return this;
  }

  get(key: string): LEntry | undefined {
    if (this.byKey !== null) return this.byKey.get(key);
    const es = this.entries;
    if (es.length > SCAN_LIMIT) return this.built(es).get(key);
    for (let i = es.length - 1; i >= 0; i--) {
      const e = es[i]!;
      if (e.key === key) return e;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, entry: LEntry): void {
    if (this.byKey !== null) this.byKey.set(key, entry);
  }

  delete(key: string): void {
    if (this.byKey !== null) this.byKey.delete(key);
  }

  keys(): IterableIterator<string> {
    if (this.byKey !== null) return this.byKey.keys();
    return new Set(this.entries.map((e) => e.key)).values();
  }

  /** Take other entries; the index is made again from them on the next look-up. */
  replaceEntries(entries: LEntry[]): void {
    this.entries = entries;
    this.byKey = null;
  }

  private built(es: readonly LEntry[]): Map<string, LEntry> {
    const m = new Map<string, LEntry>();
    for (const e of es) m.set(e.key, e);
    this.byKey = m;
    return m;
  }
}

/** Mappings with at most this many entries are searched rather than indexed (here and by the merge of files). */
export const SCAN_LIMIT = 8;

/** A new located mapping over `entries`, with its key index. */
export function makeMap(loc: Loc, entries: LEntry[] = []): LMap {
  return new LocatedMap(loc, entries) as unknown as LMap;
}

/** Give a mapping made by makeMap other entries (or tell it that its entries changed other than through setEntry). */
export function replaceEntries(map: LMap, entries: LEntry[]): void {
  (map as unknown as LocatedMap).replaceEntries(entries);
}

/** Replace the entry of the same key in place (keeping its position), or append it. */
export function setEntry(map: LMap, entry: LEntry): void {
  const old = map.index.get(entry.key);
  if (old) map.entries[map.entries.indexOf(old)] = entry;
  else map.entries.push(entry);
  map.index.set(entry.key, entry);
}

/**
 * Plain JavaScript value of a located tree. A node written with an anchor (reached again through
 * its aliases) becomes one shared object; other nodes are converted where they are met. With
 * `bare` (the memo of such objects), a mapping that is not inside a sequence is an object without
 * a prototype (`Object.create(null)`), for a schema validator.
 */
export function toPlain(v: LVal, memo = new Map<LVal, unknown>(), bare?: Map<LVal, unknown>): unknown {
  if (v.kind === 'scalar') return v.value;
  const own = bare ?? memo;
  const anchored = v.anchor !== undefined;
  if (anchored) {
    const seen = own.get(v);
    if (seen !== undefined) return seen;
  }
  if (v.kind === 'seq') {
    const arr: unknown[] = [];
    if (anchored) own.set(v, arr);
    const items = v.items;
    for (let i = 0; i < items.length; i++) arr.push(toPlain(items[i]!.value, memo));
    return arr;
  }
  const obj: Record<string, unknown> = bare ? (Object.create(null) as Record<string, unknown>) : {};
  if (anchored) own.set(v, obj);
  const entries = v.entries;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    setPlainEntry(obj, e.key, toPlain(e.value, memo, bare), bare !== undefined);
  }
  return obj;
}

/**
 * `obj[key] = value` on a mapping made for a validator. A `__proto__` key is a key like any other, as
 * it is for docker (a Go map): an own property, never the object's prototype (an assignment on `{}`
 * would set that; on a bare object, made without a prototype, it makes the property).
 */
export function setPlainEntry(obj: Record<string, unknown>, key: string, value: unknown, bare: boolean): void {
  if (bare || key !== '__proto__') obj[key] = value;
  else Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface ConvertOptions {
  env: Env;
  /** interpolate scalar values, as compose (true) or docker stack deploy ('stack') does; a plain YAML read does not */
  interpolate: InterpolationMode;
  /** variables set only by the `.env` file read implicitly: where they are used is recorded */
  dotenvOnly?: ReadonlySet<string>;
}

/** A `${VAR}` (or `$VAR`) expression whose variable only the implicit `.env` sets. */
export interface DotenvUse {
  name: string;
  /** the expression as written (`${NAME:-x}`) */
  expression: string;
  /** where it is (the whole scalar when escapes or folding leave no offsets to map) */
  loc: Loc;
  path: string[];
}

/**
 * Build the located tree of one parsed document. Aliases resolve to the anchor's node (one object,
 * not a copy), `<<` merge keys add the merged mappings' entries that are not set explicitly.
 */
export function convertDocument(doc: Document.Parsed, source: SourceFile, opts: ConvertOptions): Converted {
  return convertTree(doc.contents as YamlNode | null, source, opts, true);
}

/**
 * Build the located tree of a document read by the fast reader (src/parse/fast-yaml.ts): the same
 * tree as convertDocument on yaml's reading of the same text. `keepNodes`: values keep the fast
 * reader's nodes and entries its pairs, which fixes edit through as they do through yaml's.
 */
export function convertFast(root: FastMap, source: SourceFile, opts: ConvertOptions, keepNodes = false): Converted {
  return convertTree(root, source, opts, keepNodes);
}

type Converted = {
  root: LVal | null;
  issues: BuildIssue[];
  dotenvUses: DotenvUse[];
  variables: Set<string>;
  /** read as compose does, a value that docker stack deploy reads otherwise (see interpolateStack) */
  stackDiffers: boolean;
};

/**
 * A node of either reader; fast nodes carry `t`, yaml's carry their node-type symbol. A fast node is
 * told by `t` alone: a lint that reads only the fast way then never loads yaml (a file of its own
 * beside the CLI bundle, loaded on first use).
 */
type AnyNode = YamlNode | FastNode;

// The fast reader's nodes carry their kind in `t`; yaml's nodes have none. The kind is read here,
// in each test, rather than through a helper: these run for every node of every file, in V8's
// interpreter for the first hundred files, where each call costs.
function isScalarNode(n: AnyNode | null): n is Scalar {
  if (n === null) return false;
  const t = (n as FastNode).t;
  return t === undefined ? isScalar(n) : t === 'scalar';
}
function isSeqNode(n: AnyNode | null): n is YAMLSeq {
  if (n === null) return false;
  const t = (n as FastNode).t;
  return t === undefined ? isSeq(n) : t === 'seq';
}
function isMapNode(n: AnyNode | null): n is YAMLMap {
  if (n === null) return false;
  const t = (n as FastNode).t;
  return t === undefined ? isMap(n) : t === 'map';
}
function isAliasNode(n: AnyNode | null): n is Alias {
  if (n === null) return false;
  const t = (n as FastNode).t;
  return t === undefined ? isAlias(n) : t === 'alias';
}

/**
 * The located tree of a document's contents. `keepNodes`: each value keeps its node and each entry
 * its pair (the fixer edits through them).
 */
function convertTree(contents: AnyNode | null, source: SourceFile, opts: ConvertOptions, keepNodes: boolean): Converted {
  const issues: BuildIssue[] = [];
  const dotenvUses: DotenvUse[] = [];
  /** the variables that are set and went into a value (their values are kept out of messages) */
  const variables = new Set<string>();
  /** read as compose does, whether a value may read otherwise in docker stack deploy (see interpolate) */
  const stackReading: StackReading = { otherwise: false };
  const dotenvOnly = opts.dotenvOnly && opts.dotenvOnly.size > 0 ? opts.dotenvOnly : null;
  const memo = new Map<YamlNode, LVal>();
  /** mappings and sequences whose children are being converted (the ancestors of the current node) */
  const building = new Set<LVal>();
  const sizes = new Map<LVal, number>();
  let bombReported = false;
  /**
   * An upper bound of the document's expanded size: the nodes converted plus the expansion of every
   * alias. Only when it passes the bound is the exact size computed (a walk of the whole tree).
   */
  let sizeBound = 0;
  /** how many collections tagged `!reset` hold the node being converted */
  let resetDepth = 0;
  /**
   * How many keys each tool refuses hold the node being converted: under a key a tool refuses,
   * nothing more is reported for it (it refuses the file at the first one; a key of a key of ...
   * nested n deep would else be n errors, each naming the path above it)
   */
  let stackRefusedDepth = 0;
  let composeRefusedDepth = 0;
  /** The YAML path of the node being converted: keys, and item indexes as numbers (no object per node). */
  let at: At = [];
  const atRoot = <T>(f: () => T): T => {
    const saved = at;
    at = [];
    try {
      return f();
    } finally {
      at = saved;
    }
  };

  /**
   * One string for each short text met again (keys and short values such as `image` or `30s`
   * repeat in every service of a large file; each reading of one is a copy of its own).
   */
  const texts = new Map<string, string>();
  const shared = (s: string): string => {
    if (s.length > MAX_SHARED_TEXT) return s;
    const known = texts.get(s);
    if (known !== undefined) return known;
    texts.set(s, s);
    return s;
  };

  const locOf = (n: AnyNode): FileLoc => {
    const f = n as FastNode;
    if (f.t !== undefined) return fileLoc(source, f.start, f.end);
    const r = (n as YamlNode).range ?? [0, 0, 0];
    return fileLoc(source, r[0], r[1]);
  };

  const expandedSize = (v: LVal): number => {
    if (v.kind === 'scalar') return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    sizes.set(v, MAX_EXPANDED_NODES + 1); // a node that contains itself expands without end
    let n = 1;
    if (v.kind === 'map') for (const e of v.entries) n += expandedSize(e.value);
    else for (const it of v.items) n += expandedSize(it.value);
    n = Math.min(n, MAX_EXPANDED_NODES + 1);
    sizes.set(v, n);
    return n;
  };

  // Anchors seen so far, in document order (an alias refers to the latest definition before it).
  // yaml's Alias.resolve(doc) walks the whole document on every call: quadratic on large files.
  const anchors = new Map<string, YamlNode>();
  const resolveAlias = (node: YamlNode, aliasLoc: Loc): LVal | null => {
    if (!isAliasNode(node)) return null;
    const target = anchors.get(node.source);
    if (!target) {
      issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: `unknown alias *${node.source}: no anchor &${node.source} is defined before it`, loc: aliasLoc });
      return { kind: 'scalar', value: null, loc: aliasLoc };
    }
    // An alias to a node still being built is an alias to one of its own ancestors: it expands without end.
    const built = memo.get(target as YamlNode);
    if (built && building.has(built)) throw new AliasBombError(aliasLoc, `alias *${node.source} refers to a node that contains it (&${node.source}): it would expand without end; it is not read further`);
    return memo.get(target as YamlNode) ?? atRoot(() => convert(target as YamlNode));
  };

  const convertScalar = (node: Scalar): LScalar => {
    const loc = locOf(node);
    const out: LScalar = { kind: 'scalar', value: typeof node.value === 'string' ? shared(node.value) : (node.value as LScalar['value']), loc };
    if (keepNodes) out.yaml = node;
    if (node.tag && node.tag.startsWith('!') && !node.tag.startsWith('!!')) out.tag = node.tag;
    // docker decodes a !!binary scalar (`image: !!binary bmdpbng6MS4yNw==` is nginx:1.27); one that
    // is no base64 is yaml-syntax's error (tagRefusals) and stays its text
    if (node.tag === BINARY_TAG && typeof node.value === 'string') {
      const b64 = node.value.replace(/[\r\n]/g, '');
      if (BASE64.test(b64)) out.value = shared(Buffer.from(b64, 'base64').toString('utf8'));
    }
    if (typeof node.value === 'bigint') out.value = Number(node.value);
    else if (node.value !== null && typeof node.value === 'object') out.value = String(node.value);
    else if (typeof node.value === 'number' && node.type === 'PLAIN') {
      // compose reads `mode: 0440` as octal (Go's yaml.v3 parses integers with base 0); YAML 1.2 would say 440
      const text = source.text;
      const r0 = loc.start;
      // only a number written with a leading 0 (after its sign) can be octal: no slice for the others
      if (text.charCodeAt(r0) === 48 || text.charCodeAt(r0 + 1) === 48) {
        const written = text.slice(r0, loc.end);
        if (/^[-+]?0[0-7]+$/.test(written)) out.value = parseInt(written, 8);
      }
      // a number past float64 (`1e400`) is a string to Go's YAML readers, whose ParseFloat fails
      // on it: only `.inf` is infinity
      if (node.value === Infinity || node.value === -Infinity) {
        const written = text.slice(r0, loc.end);
        if (!/^[-+]?\.inf$/i.test(written)) out.value = shared(written);
      }
    }
    if (opts.interpolate && typeof node.value === 'string' && hasInterpolation(node.value)) {
      const text = node.value;
      let fromEnv = false;
      // one mapping of the value's spans to the file for all of its expressions and issues
      let spans: SpanMap | undefined;
      const spanLoc = (start: number, end: number): Loc => (spans ??= valueSpans(loc, text))(start, end);
      const observe = (name: string, start: number, end: number) => {
        if (opts.env.get(name) !== undefined) {
          fromEnv = true;
          variables.add(name);
        }
        if (dotenvOnly?.has(name)) dotenvUses.push({ name, expression: text.slice(start, end), loc: spanLoc(start, end), path: pathOf(at) });
      };
      // read for compose, it also tells whether docker stack deploy might read it otherwise: the
      // project is then read again its way if the target turns out to be swarm (by what the files hold)
      const r = opts.interpolate === 'stack' ? interpolateStack(text, opts.env, observe) : interpolate(text, opts.env, observe, stackReading);
      for (const is of r.issues) {
        // what docker stack deploy refuses as a template is swarm-compat's, with its advice
        if (opts.interpolate === 'stack' && is.kind === 'syntax') continue;
        issues.push(interpolationIssue(is, spanLoc(is.start, is.end), pathOf(at)));
      }
      if (r.value !== node.value) {
        out.raw = shared(node.value);
        if (fromEnv) out.fromEnv = true;
        // Compose types an interpolated value only where the field takes a number or a boolean
        // (`replicas: ${N:-2}` is 2, `user: ${UID:-1000}` stays "1000"); a quoted scalar stays a string.
        const cast = node.type === 'PLAIN' ? castAt(at) : undefined;
        out.value = cast ? cast(r.value) : shared(r.value);
      }
    }
    return out;
  };

  const convert = (node: YamlNode): LVal => {
    // Only an anchored node can be reached twice (through its aliases): only those are remembered.
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) {
      const done = memo.get(node);
      if (done) return done;
      anchors.set(anchor, node);
    }
    sizeBound++;
    let out: LVal;
    // what lies under `!reset` docker compose drops before it decodes anything (its keys too)
    const reset = (node as { tag?: string }).tag === '!reset';
    if (reset) resetDepth++;
    if (isScalarNode(node)) {
      out = convertScalar(node);
    } else if (isSeqNode(node)) {
      const seq: LSeq = { kind: 'seq', items: [], loc: locOf(node) };
      if (keepNodes) seq.yaml = node;
      if (node.tag && !node.tag.startsWith('tag:')) seq.tag = node.tag;
      if (anchor) {
        memo.set(node, seq);
        building.add(seq);
      }
      const seqItems = node.items;
      for (let i = 0; i < seqItems.length; i++) {
        const itemNode = seqItems[i] as YamlNode | null;
        if (itemNode === null) {
          sizeBound++;
          seq.items.push({ value: { kind: 'scalar', value: null, loc: seq.loc } });
          continue;
        }
        if (isAliasNode(itemNode)) {
          const aliasLoc = locOf(itemNode);
          seq.items.push({ value: resolveAlias(itemNode, aliasLoc)!, via: { kind: 'alias', loc: aliasLoc } });
          checkBomb(seq.items[seq.items.length - 1]!.value, aliasLoc);
        } else {
          at.push(seq.items.length);
          seq.items.push({ value: convert(itemNode) });
          at.pop();
        }
      }
      if (anchor) building.delete(seq);
      seq.items = fit(seq.items);
      out = seq;
    } else if (isMapNode(node)) {
      const map = makeMap(locOf(node));
      if (keepNodes) map.yaml = node;
      if (node.tag && !node.tag.startsWith('tag:')) map.tag = node.tag;
      if (anchor) {
        memo.set(node, map);
        building.add(map);
      }
      let merges: Array<{ value: LVal; loc: Loc }> | undefined;
      let mergeKeySeen = false;
      let superseded: Set<LEntry> | undefined;
      const pairs = node.items;
      for (let p = 0; p < pairs.length; p++) {
        const pair = pairs[p]!;
        if (keepNodes) {
          if ((node as { t?: string }).t === undefined && !isPair(pair)) continue;
        } else {
          // the fast reader's nodes are read once: let what is converted go (a large file's
          // reading and its tree need not be in memory together)
          (pairs as unknown[])[p] = null;
        }
        const keyNode = pair.key as YamlNode | null;
        const keyLoc = keyNode ? locOf(keyNode) : map.loc;
        let key: string;
        if (keyNode === null) key = '';
        else if (isScalarNode(keyNode)) key = shared(String(keyNode.value));
        else if (isAliasNode(keyNode)) {
          const k = resolveAlias(keyNode, keyLoc);
          // an alias of a mapping or a sequence is a collection as a key, which docker refuses too
          // ("invalid map key")
          if (k && k.kind !== 'scalar') {
            issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: COLLECTION_KEY, loc: keyLoc });
            continue;
          }
          key = k ? String(k.value) : '';
        } else {
          issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: COLLECTION_KEY, loc: keyLoc });
          continue;
        }
        const valueNode = pair.value as YamlNode | null;
        const isMergeKey = key === '<<' && keyNode !== null && isScalarNode(keyNode) && keyNode.type === 'PLAIN';
        const refused = isMergeKey ? NO_REFUSAL : checkKey(keyNode, keyLoc, key, valueNode);
        // Duplicate keys are found here through the mapping's index (yaml's own check compares every
        // pair with every other: quadratic in a services: mapping of thousands of entries).
        const earlier = isMergeKey ? undefined : map.index.get(key);
        if (isMergeKey ? mergeKeySeen : earlier) {
          // docker refuses the file ("mapping key already defined"); the other checks still run, on
          // the value yaml.v3 would keep (the last one)
          const first = earlier ? positionOf(earlier.keyLoc) : null;
          issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: duplicateKeyMessage(key, first?.line, earlier ? 'this last one' : 'the first one'), loc: keyLoc, readOn: true });
          if (!earlier) continue;
          (superseded ??= new Set()).add(earlier);
        }
        if (isMergeKey) {
          mergeKeySeen = true;
          collectMerges(valueNode, keyLoc, (merges ??= []));
          continue;
        }
        let value: LVal;
        let via: Via | undefined;
        if (valueNode === null) {
          sizeBound++;
          const r = (keyNode as YamlNode | null)?.range;
          value = { kind: 'scalar', value: null, loc: r ? fileLoc(source, r[1], r[1]) : keyLoc };
        } else if (isAliasNode(valueNode)) {
          const aliasLoc = locOf(valueNode);
          value = resolveAlias(valueNode, aliasLoc)!;
          via = { kind: 'alias', loc: aliasLoc };
          checkBomb(value, aliasLoc);
        } else {
          at.push(key);
          if (refused.stack) stackRefusedDepth++;
          if (refused.compose) composeRefusedDepth++;
          value = convert(valueNode);
          if (refused.stack) stackRefusedDepth--;
          if (refused.compose) composeRefusedDepth--;
          at.pop();
        }
        const entry: LEntry = { key, keyLoc, value };
        if (keepNodes) entry.pair = pair;
        if (via) entry.via = via;
        map.entries.push(entry);
        map.index.set(key, entry);
      }
      if (superseded) {
        map.entries = map.entries.filter((e) => !superseded!.has(e));
        map.superseded = [...superseded];
      }
      if (merges) for (const m of merges) {
        if (m.value.kind !== 'map') {
          issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: 'a << merge key must point at a mapping or a list of mappings', loc: m.loc });
          continue;
        }
        (map.mergedFrom ??= []).push(m.value);
        // one Via for every entry this merge brings in (they were all reached through the same `<<`)
        const via: Via = { kind: 'merge', loc: m.loc };
        for (const e of m.value.entries) {
          if (map.index.has(e.key)) continue;
          const merged: LEntry = { key: e.key, keyLoc: e.keyLoc, value: e.value, via };
          if (e.pair) merged.pair = e.pair;
          map.entries.push(merged);
          map.index.set(e.key, merged);
        }
      }
      if (anchor) building.delete(map);
      map.entries = fit(map.entries);
      out = map;
    } else {
      // a pair in a flow sequence (`[a: 1]`) is a mapping of one entry to docker: its key is checked
      // as a mapping's (the item is read as null here)
      if (isPair(node)) {
        const k = node.key as YamlNode | null;
        if (k !== null && (isScalarNode(k) || isAliasNode(k))) checkKey(k, locOf(k), String(isScalarNode(k) ? k.value : k.source), node.value as YamlNode | null);
      }
      out = { kind: 'scalar', value: null, loc: locOf(node) };
    }
    // (an error thrown on the way ends the whole conversion: no count to restore)
    if (reset) resetDepth--;
    if (anchor) {
      memo.set(node, out);
      out.anchor = anchor;
    }
    return out;
  };

  /**
   * A mapping key docker's readers take for no string (`1:`, `true:`, `~:`, `!foo bar:`): an error
   * at the key for each that refuses the file (go-yaml-keys.ts), read on. Docker compose drops what
   * `!reset` marks before it decodes it: a key whose value or mapping is marked is none of its concern.
   */
  const checkKey = (keyNode: AnyNode | null, keyLoc: Loc, key: string, valueNode: AnyNode | null): { stack: boolean; compose: boolean } => {
    if (stackRefusedDepth > 0 && composeRefusedDepth > 0) return NO_REFUSAL;
    let node: AnyNode | null = keyNode;
    let alias: string | undefined;
    if (node !== null && isAliasNode(node)) {
      alias = node.source;
      node = anchors.get(alias) ?? null;
      // an unknown alias is reported as such; an alias to a collection is no scalar key
      if (node === null || !isScalarNode(node)) return NO_REFUSAL;
    }
    let text = '';
    let plain = true;
    let tag: string | undefined;
    let nodeLoc: FileLoc | undefined;
    if (node !== null && isScalarNode(node)) {
      const v = node.value;
      plain = node.type === 'PLAIN';
      tag = node.tag ?? undefined;
      if (typeof v === 'string') text = v;
      else if (!plain) text = (node as { source?: string }).source ?? String(v);
      else {
        // a plain scalar yaml typed (`1`, `true`, `~`): its text, as docker's reader resolves it
        nodeLoc = locOf(node);
        text = source.text.slice(nodeLoc.start, nodeLoc.end);
      }
    }
    const refused = keyRefusals(text, plain, tag);
    if (refused === null) return NO_REFUSAL;
    nodeLoc ??= node === null ? undefined : locOf(node);
    const written = alias !== undefined ? `*${alias}` : nodeLoc ? source.text.slice(nodeLoc.start, nodeLoc.end) : '';
    const parent = at.slice();
    const path = [...pathOf(parent), key];
    const shown = { written, text, tag, alias: alias !== undefined };
    const stack = refused.stack !== null && stackRefusedDepth === 0;
    if (stack) issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: keyRefusalMessage('stack', refused.stack!, shown, parent), loc: keyLoc, path, readOn: true, swarmOnly: true });
    const valueReset = valueNode !== null && (isAliasNode(valueNode) ? (anchors.get(valueNode.source) as { tag?: string } | undefined)?.tag : (valueNode as { tag?: string }).tag) === '!reset';
    const compose = refused.compose !== null && composeRefusedDepth === 0 && resetDepth === 0 && !valueReset;
    if (compose) issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: keyRefusalMessage('compose', refused.compose!, shown, parent), loc: keyLoc, path, readOn: true, composeOnly: true });
    return { stack, compose };
  };

  const collectMerges = (valueNode: YamlNode | null, keyLoc: Loc, merges: Array<{ value: LVal; loc: Loc }>) => {
    if (!valueNode) return;
    if (isAliasNode(valueNode)) {
      const loc = locOf(valueNode);
      const v = resolveAlias(valueNode, loc)!;
      checkBomb(v, loc);
      merges.push({ value: v, loc });
    } else if (isSeqNode(valueNode)) {
      for (const it of valueNode.items) collectMerges(it as YamlNode, keyLoc, merges);
    } else merges.push({ value: convert(valueNode), loc: locOf(valueNode) });
  };

  const checkBomb = (v: LVal, at: Loc) => {
    if (bombReported) return;
    const size = expandedSize(v);
    sizeBound += size;
    // one alias past the bound, or all of them together (`<<: *labels` of 8,000 keys in 8,000
    // services, or a chain of anchors each merging the one before): stopped here, before the
    // merged entries are copied again and again
    if (size > MAX_EXPANDED_NODES || sizeBound > MAX_EXPANDED_NODES) {
      bombReported = true;
      throw new AliasBombError(at);
    }
  };

  if (!contents) return { root: null, issues, dotenvUses, variables, stackDiffers: stackReading.otherwise };
  try {
    const root = convert(contents as YamlNode);
    // Without aliases the tree is the file itself: only aliases can make it expand.
    if (sizeBound > MAX_EXPANDED_NODES && expandedSize(root) > MAX_EXPANDED_NODES) throw new AliasBombError(root.loc);
    return { root, issues, dotenvUses, variables, stackDiffers: stackReading.otherwise };
  } catch (e) {
    if (e instanceof AliasBombError) {
      issues.push({
        ruleId: 'yaml-syntax',
        severity: 'error',
        message: e.message,
        loc: e.loc,
      });
      return { root: null, issues, dotenvUses, variables, stackDiffers: stackReading.otherwise };
    }
    throw e;
  }
}

/**
 * The text of a number as the file wrote it (`99999999999999999999`, where the value is
 * 100000000000000000000), which tells the type Go's YAML readers give it; null for any other value.
 */
function writtenNumber(n: LVal): string | null {
  if (n.kind !== 'scalar' || typeof n.value !== 'number' || n.raw !== undefined || n.loc.kind !== 'file') return null;
  return n.loc.source.text.slice(n.loc.start, n.loc.end);
}

/**
 * A number the file wrote whose Go type `typeOf` tells (typePastInt64: `99999999999999999999`,
 * `1e30`; typeNotInt: `1e3` too): its text and that type, or null.
 */
export function writtenGoNumber<T extends string>(n: LVal | undefined, typeOf: (written: string) => T | null): { written: string; type: T } | null {
  const written = n ? writtenNumber(n) : null;
  const type = written === null ? null : typeOf(written);
  return type === null ? null : { written: written!, type };
}

/** The value at a path of keys (a sequence's items by their index), or undefined where there is none. */
export function nodeAt(root: LVal, path: readonly string[]): LVal | undefined {
  let cur: LVal | undefined = root;
  for (const seg of path) {
    if (!cur) return undefined;
    if (cur.kind === 'map') cur = cur.index.get(seg)?.value;
    else if (cur.kind === 'seq') cur = cur.items[Number(seg)]?.value;
    else return undefined;
  }
  return cur;
}

/** checkKey's answer for a key neither tool refuses (or one under a key both refused already). */
const NO_REFUSAL = { stack: false, compose: false } as const;

/** What a mapping or sequence written as a mapping key is told (docker: "invalid map key"). */
const COLLECTION_KEY = 'a mapping key must be a scalar, not a mapping or sequence';

/** Texts up to this length are shared by the located tree (see `shared` in convertTree). */
const MAX_SHARED_TEXT = 32;

/**
 * An array that takes the room of its items only: an array grown by push keeps room for 16 or
 * more, and a large file's tree holds hundreds of thousands of short ones.
 */
function fit<T>(a: T[]): T[] {
  return a.length < 16 ? a.slice() : a;
}

/** What a key written twice in one mapping is told. */
export function duplicateKeyMessage(key: string, firstLine?: number, kept = 'this last one'): string {
  const first = firstLine === undefined ? '' : ` (first at line ${firstLine})`;
  return `duplicate key "${key}"${first}: a key may appear only once in a mapping, and docker refuses the file (mapping key already defined); the other checks read ${kept}`;
}

class AliasBombError extends Error {
  constructor(
    readonly loc: Loc,
    message = `aliases expand this document past ${MAX_EXPANDED_NODES.toLocaleString('en-US')} nodes (a "billion laughs" alias bomb); it is not read further`,
  ) {
    super(message);
  }
}

/** Where a node is being converted: the keys from the root, a sequence item's index as a number. */
type At = YamlPath;

function pathOf(at: At): string[] {
  return at.map(String);
}

/** A place in a document: mapping keys as strings, sequence indexes as numbers. */
export type YamlPath = Array<string | number>;

/**
 * Whether a path matches a pattern of the same length: `*` is any mapping key, `[]` any sequence
 * index, anything else that exact key.
 */
export function matchesPathPattern(pattern: readonly string[], path: YamlPath): boolean {
  if (pattern.length !== path.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const step = path[i]!;
    if (p === '[]' ? typeof step !== 'number' : typeof step !== 'string' || (p !== '*' && p !== step)) return false;
  }
  return true;
}

/**
 * The value of the first of `entries` whose pattern matches a path (matchesPathPattern), found
 * among the patterns of the path's length whose last step can match the path's last step: a
 * look-up per scalar instead of a walk through every pattern.
 */
export function pathPatternLookup<T>(entries: ReadonlyArray<readonly [readonly string[], T]>): (path: YamlPath) => T | undefined {
  type Entry = readonly [readonly string[], T];
  /** per length: the entries by their last key (with those ending in `*`, in order), those ending in `*`, those ending in `[]` */
  const byLength: Array<{ byKey: Map<string, Entry[]>; anyKey: Entry[]; anyIndex: Entry[] }> = [];
  // Indexed loops, without destructuring: the tables are built as the modules load, in code V8 runs
  // unoptimised, where each destructuring (and each step of for-of) makes an iterator object; the
  // four tables then made about 200 KB of garbage at every start, a fifth of the young generation.
  for (let i = 0; i < entries.length; i++) {
    const n = entries[i]![0].length;
    if (byLength[n]) continue;
    const at = { byKey: new Map<string, Entry[]>(), anyKey: [] as Entry[], anyIndex: [] as Entry[] };
    const keyLists: Entry[][] = [];
    for (let j = i; j < entries.length; j++) {
      const last = entries[j]![0];
      if (last.length !== n) continue;
      const key = last[n - 1]!;
      if (key !== '*' && key !== '[]' && !at.byKey.has(key)) {
        const list: Entry[] = [];
        at.byKey.set(key, list);
        keyLists.push(list);
      }
    }
    // each list in the entries' order: a key's own entries and those ending in `*`
    for (let j = i; j < entries.length; j++) {
      const e = entries[j]!;
      if (e[0].length !== n) continue;
      const key = e[0][n - 1]!;
      if (key === '[]') at.anyIndex.push(e);
      else if (key !== '*') at.byKey.get(key)!.push(e);
      else {
        at.anyKey.push(e);
        for (let k = 0; k < keyLists.length; k++) keyLists[k]!.push(e);
      }
    }
    byLength[n] = at;
  }
  return (path) => {
    const at = byLength[path.length];
    if (!at) return undefined;
    const last = path[path.length - 1];
    const candidates = typeof last === 'number' ? at.anyIndex : (at.byKey.get(last!) ?? at.anyKey);
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      if (matchesPathPattern(c[0], path)) return c[1];
    }
    return undefined;
  };
}

type Cast = (s: string) => string | number | boolean;
// strconv.Atoi: an integer past int64 is an error, not a number (and Number() would round it)
const toInt: Cast = (s) => (isGoInt(s) && fitsInt64(s) ? Number(s) : s);
const toFloat: Cast = (s) => (/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(s) ? Number(s) : s);
const toBoolean: Cast = (s) => goBoolean(s) ?? s;
export type CastKind = 'int' | 'float' | 'bool';
const CAST_OF: Record<CastKind, Cast> = { int: toInt, float: toFloat, bool: toBoolean };

/**
 * The fields compose casts after interpolation (compose-go loader/interpolate.go,
 * interpolateTypeCastMapping); `*` is any key, `[]` any list item. A value that does not cast stays
 * a string, for the schema and the rules to judge (src/model/compose-values.ts says what compose
 * cannot cast).
 */
export const COMPOSE_CASTS: ReadonlyArray<readonly [readonly string[], CastKind]> = [
  ...(
    [
      [['configs', '[]', 'mode'], 'int'],
      [['cpu_count'], 'int'],
      [['cpu_percent'], 'float'],
      [['cpu_period'], 'int'],
      [['cpu_quota'], 'int'],
      [['cpu_rt_period'], 'int'],
      [['cpu_rt_runtime'], 'int'],
      [['cpus'], 'float'],
      [['cpu_shares'], 'int'],
      [['init'], 'bool'],
      [['depends_on', '*', 'required'], 'bool'],
      [['depends_on', '*', 'restart'], 'bool'],
      [['deploy', 'replicas'], 'int'],
      [['deploy', 'update_config', 'parallelism'], 'int'],
      [['deploy', 'update_config', 'max_failure_ratio'], 'float'],
      [['deploy', 'rollback_config', 'parallelism'], 'int'],
      [['deploy', 'rollback_config', 'max_failure_ratio'], 'float'],
      [['deploy', 'restart_policy', 'max_attempts'], 'int'],
      [['deploy', 'placement', 'max_replicas_per_node'], 'int'],
      [['healthcheck', 'retries'], 'int'],
      [['healthcheck', 'disable'], 'bool'],
      [['oom_kill_disable'], 'bool'],
      [['oom_score_adj'], 'int'],
      [['pids_limit'], 'int'],
      [['ports', '[]', 'target'], 'int'],
      [['privileged'], 'bool'],
      [['read_only'], 'bool'],
      [['scale'], 'int'],
      [['secrets', '[]', 'mode'], 'int'],
      [['stdin_open'], 'bool'],
      [['tty'], 'bool'],
      [['ulimits', '*'], 'int'],
      [['ulimits', '*', 'hard'], 'int'],
      [['ulimits', '*', 'soft'], 'int'],
      [['volumes', '[]', 'read_only'], 'bool'],
      [['volumes', '[]', 'volume', 'nocopy'], 'bool'],
    ] as Array<[string[], CastKind]>
  ).map(([p, c]) => [['services', '*', ...p], c] as const),
  ...['networks', 'volumes', 'secrets', 'configs'].map((k) => [[k, '*', 'external'], 'bool'] as const),
  ...['internal', 'attachable', 'enable_ipv4', 'enable_ipv6'].map((k) => [['networks', '*', k], 'bool'] as const),
];
const CASTS: Array<[string[], Cast]> = COMPOSE_CASTS.map(([p, k]) => [[...p], CAST_OF[k]]);
// The sleep-policy block (ours, not compose's) is typed the same way, so that
// `idle_timeout: ${IDLE:-300}` is the integer the sleep-policy rule validates.
for (const key of ['sleep_policy', 'x-sleep-policy']) {
  CASTS.push([['services', '*', key, 'enabled'], toBoolean], [['services', '*', key, 'warm_cache_enabled'], toBoolean]);
  CASTS.push([['services', '*', key, 'idle_timeout'], toInt], [['services', '*', key, 'min_sleep_time'], toInt]);
}

const castAt = pathPatternLookup(CASTS);

/**
 * An issue inside a scalar's value, placed at `loc` (its expression's, where the source shows it),
 * made as one object literal: a spread of one into another
 * (with the path added) gave each issue a hidden class of its own (1,561 issues of 100 corpus
 * files, 1,561 classes), and the code that reads issues missed V8's property caches on each one
 * (a small cost: 0.3% of that lint's instructions).
 */
function interpolationIssue(is: InterpolationIssue, loc: Loc, path: string[]): BuildIssue {
  const severity = is.kind === 'unset' ? 'warning' : 'error';
  return { ruleId: 'interpolation', severity, message: is.message, loc, path };
}

/** Where a span of a scalar's value is in the file (see valueSpans). */
type SpanMap = (start: number, end: number) => Loc;

/**
 * Where `value[start, end)` is in the file: mapped through the scalar's source when that source is
 * the value itself (plain, quoted without escapes, or a line of a literal `|` or folded `>` block),
 * else the whole scalar (escapes and folded quoted lines leave no offset to map).
 */
export function valueSpanLoc(loc: Loc, value: string, start: number, end: number): Loc {
  return valueSpans(loc, value)(start, end);
}

/**
 * valueSpanLoc for many spans of one value: the scalar's source is read once (a block's lines into
 * a table searched by halves), so that a value with thousands of expressions costs no more than
 * its length times their number's logarithm.
 */
export function valueSpans(loc: Loc, value: string): SpanMap {
  if (loc.kind !== 'file') return () => loc;
  const src = loc.source.text.slice(loc.start, loc.end);
  const span = (at: number, start: number, end: number): Loc => fileLoc(loc.source, at, at + (end - start));
  const quote = src[0] === '"' || src[0] === "'" ? 1 : 0;
  if (src.slice(quote, src.length - quote) === value) return (start, end) => span(loc.start + quote + start, start, end);
  if (src[0] === '|' || src[0] === '>') {
    const lines = blockScalarLines(src, value);
    return (start, end) => {
      // the last line that starts at or before `start`
      let lo = 0;
      let hi = lines.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (lines[mid]!.at <= start) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const l = found < 0 ? undefined : lines[found];
      return l && end <= l.at + l.length ? span(loc.start + l.src + (start - l.at), start, end) : loc;
    };
  }
  return () => loc;
}

/**
 * The lines of a block scalar's source (`|` or `>`, header included) in its value, in order: each
 * line's text (after the block's indentation) is in the value as it is; literal and folded blocks
 * differ only in what joins lines. `at` is where a line is in the value, `src` in the source. The
 * table stops at a line not found in the value: no span from there on is mapped.
 */
function blockScalarLines(src: string, value: string): Array<{ at: number; length: number; src: number }> {
  const out: Array<{ at: number; length: number; src: number }> = [];
  let pos = src.indexOf('\n') + 1;
  if (pos === 0) return out;
  let indent = -1;
  let cursor = 0;
  while (pos < src.length) {
    let eol = src.indexOf('\n', pos);
    if (eol < 0) eol = src.length;
    const line = src.charCodeAt(eol - 1) === 13 ? src.slice(pos, eol - 1) : src.slice(pos, eol);
    if (line.trim() !== '') {
      if (indent < 0) indent = line.length - line.replace(/^ +/, '').length;
      const content = line.slice(indent);
      const p = value.startsWith(content, cursor) ? cursor : value.indexOf(content, cursor);
      if (p < 0) return out;
      out.push({ at: p, length: content.length, src: pos + indent });
      cursor = p + content.length;
    }
    pos = eol + 1;
  }
  return out;
}
