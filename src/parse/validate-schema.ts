import type { ErrorObject } from 'ajv';
import type { Loc } from './location.js';
import type { LEntry, LVal } from './located.js';
import { toPlain } from './located.js';
import { pushAll } from './collect.js';

export interface SchemaIssue {
  message: string;
  loc: Loc;
  /** instance path as keys, e.g. ['services', 'web', 'image'] */
  path: string[];
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
  /** set on a validator that validates data of its own and ignores what it is given: the tree is not converted for it */
  ownData?: true;
}

export interface SchemaCheckOptions {
  /** errors to leave to another rule: return true to drop */
  ignore?: (e: ErrorObject, path: string[]) => boolean;
  /**
   * The schema the validator was compiled from, read only when an error needs it (the list of
   * allowed keys for a "did you mean" suggestion). Validators are compiled without `verbose` so
   * that they load fast; this gives the same information on the rare failing run.
   */
  schema?: () => unknown;
}

/**
 * Validate a located tree and map every error to the node it concerns. oneOf/anyOf failures are
 * folded: when the value matched one alternative's type and failed inside it, the inner errors are
 * reported; otherwise one error lists the accepted types.
 */
export function checkSchema(root: LVal, validate: CompiledValidator, opts: SchemaCheckOptions = {}): SchemaIssue[] {
  const errors = validateOnce(root, validate);
  if (errors.length === 0) return [];
  const kept = foldAlternatives(errors);
  const out: SchemaIssue[] = [];
  const seen = new Set<string>();
  // the keys the schema allows at a path: looked up once per path, however many unknown keys it holds
  const allowed = new Map<string, Map<string, string | null>>();
  // the suggestions made among the same allowed keys, whatever the path (every service's mapping
  // allows the same keys): an unknown key in each of n services is measured against them once
  const guessesByKeys = new Map<string, Map<string, string | null>>();
  const suggest = (path: string[], word: string): string | null => {
    const at = path.join('\u0000');
    let guesses = allowed.get(at);
    if (!guesses) {
      const keys = opts.schema ? allowedKeys(opts.schema(), path) : [];
      const same = keys.join('\u0000');
      guesses = guessesByKeys.get(same);
      if (!guesses) guessesByKeys.set(same, (guesses = new Map()));
      allowed.set(at, guesses);
      candidatesOf.set(guesses, keys);
    }
    let guess = guesses.get(word);
    if (guess === undefined) guesses.set(word, (guess = closest(word, candidatesOf.get(guesses)!)));
    return guess;
  };
  const candidatesOf = new Map<Map<string, string | null>, string[]>();
  for (const e of kept) {
    const path = decodePointer(e.instancePath);
    if (opts.ignore?.(e, path)) continue;
    const issue = toIssue(root, e, path, suggest);
    const dedupe = `${issue.path.join('/')}|${issue.message}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    out.push(issue);
  }
  return out;
}

/**
 * Validation results per validator and tree: a tree is validated once however many checks read it.
 * The plain copy a validator reads is not kept: it is as large as the tree (a tenth of a large
 * file's memory while its model and rules run), and each validator reads it once.
 */
const results = new WeakMap<CompiledValidator, WeakMap<LVal, ErrorObject[]>>();

function validateOnce(root: LVal, validate: CompiledValidator): ErrorObject[] {
  let byRoot = results.get(validate);
  if (!byRoot) results.set(validate, (byRoot = new WeakMap()));
  let errors = byRoot.get(root);
  if (!errors) {
    errors = validate(validate.ownData ? undefined : plainForValidator(root)) ? [] : [...(validate.errors ?? [])];
    byRoot.set(root, errors);
  }
  return errors;
}

/**
 * The plain value a validator reads: each mapping not inside a sequence an object without a
 * prototype (see `toPlain`): V8 keeps those as dictionaries that share one hidden class, where
 * objects built key by key get one per set and order of keys. A generated validator asks each
 * mapping for every property its schema names (about ninety for a service): against one hidden
 * class those reads stay monomorphic instead of missing V8's megamorphic cache. No schema here
 * names a property of `Object.prototype`, and `uniqueItems` (a deep equality that calls `valueOf`)
 * compares only sequence items, which are plain objects as before.
 */
export function plainForValidator(root: LVal): unknown {
  return toPlain(root, new Map(), new Map());
}

function decodePointer(p: string): string[] {
  if (p === '') return [];
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const ALTERNATIVES = new Set(['oneOf', 'anyOf']);

/** Replace each oneOf/anyOf error and its branch errors by what a user needs to read. */
function foldAlternatives(errors: ErrorObject[]): ErrorObject[] {
  const drop = new Set<number>();
  const extra: ErrorObject[] = [];
  for (let k = 0; k < errors.length; k++) {
    const alt = errors[k]!;
    if (!ALTERNATIVES.has(alt.keyword) || drop.has(k)) continue;
    const I = alt.instancePath;
    // Branch errors precede the alternative's own error: the contiguous run at I or below it.
    const branch: number[] = [];
    for (let j = k - 1; j >= 0; j--) {
      const p = errors[j]!.instancePath;
      if (p === I || p.startsWith(`${I}/`)) branch.push(j);
      else break;
    }
    const deeper = branch.filter((j) => errors[j]!.instancePath !== I || ALTERNATIVES.has(errors[j]!.keyword));
    const atSelfNonType = branch.filter((j) => errors[j]!.instancePath === I && !['type', 'oneOf', 'anyOf', 'enum', 'const'].includes(errors[j]!.keyword));
    // errors an inner alternative already folded away stay dropped (nested oneOf/anyOf); asked of
    // the branch only (a copy of every error dropped so far, made for each alternative, grew with
    // the square of the errors)
    const foldedBefore = new Set(branch.filter((j) => drop.has(j)));
    for (const j of branch) drop.add(j);
    if (deeper.length > 0 || atSelfNonType.length > 0) {
      // The value had the right shape for an alternative and failed inside it: report those errors.
      drop.add(k);
      for (const j of [...deeper, ...atSelfNonType].sort((a, b) => a - b)) if (!foldedBefore.has(j)) drop.delete(j);
      continue;
    }
    const types = new Set<string>();
    for (const j of branch) {
      const b = errors[j]!;
      if (b.keyword === 'type') for (const t of ([] as string[]).concat((b.params as { type: string | string[] }).type)) types.add(t);
      if (b.keyword === 'enum' || b.keyword === 'const') types.add('one of the listed values');
    }
    if (types.size > 0) {
      drop.add(k);
      extra.push({ ...alt, keyword: 'type', params: { type: [...types] }, message: `must be ${[...types].join(' or ')}` });
    }
  }
  return [...errors.filter((_, i) => !drop.has(i)), ...extra];
}

interface Walk {
  node: LVal;
  entry?: LEntry;
  path: string[];
}

function walk(root: LVal, path: string[]): Walk {
  let cur: Walk = { node: root, path: [] };
  for (const seg of path) {
    const n = cur.node;
    if (n.kind === 'map') {
      const e = n.index.get(seg);
      if (!e) break;
      cur = { node: e.value, entry: e, path: [...cur.path, seg] };
    } else if (n.kind === 'seq') {
      const it = n.items[Number(seg)];
      if (!it) break;
      cur = { node: it.value, path: [...cur.path, seg] };
    } else break;
  }
  return cur;
}

/** A value as `describeValue` reads it: a scalar's value, an empty list or mapping for a list or a mapping. */
function shallowPlain(v: LVal): unknown {
  return v.kind === 'scalar' ? v.value : v.kind === 'seq' ? [] : {};
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  return `the ${typeof v} ${String(v)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function toIssue(root: LVal, e: ErrorObject, path: string[], suggest: (path: string[], word: string) => string | null): SchemaIssue {
  const at = walk(root, path);
  const where = path.length ? path.join('.') : 'the document';
  // what the messages say of a value is its kind or a scalar's value: a list or a mapping is not
  // converted (an unknown key of an n-key mapping would convert all n keys, for each of its n errors)
  const data = at.path.length === path.length ? shallowPlain(at.node) : undefined;
  // a value a set variable went into is shown as the file wrote it, never as it resolved
  const describe = (v: unknown): string => (at.path.length === path.length && at.node.kind === 'scalar' && at.node.fromEnv && at.node.raw !== undefined ? `"${at.node.raw}" (a variable's value, not shown)` : describeValue(v));
  let loc: Loc = at.node.loc;
  let issuePath = at.path;
  let message: string;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const m = at.node.kind === 'map' ? at.node.index.get(key) : undefined;
      if (m) loc = m.keyLoc;
      issuePath = [...at.path, key];
      const guess = suggest(path, key);
      message = `unknown key "${key}" in ${where}${guess ? `; did you mean "${guess}"?` : ''}`;
      if (key.startsWith('x_') || /^[A-Z]/.test(key)) message += ' (extension keys must start with "x-")';
      break;
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      if (at.entry) loc = at.entry.keyLoc;
      message = `${where} is missing the required key "${missing}"`;
      break;
    }
    case 'type': {
      const t = ([] as string[]).concat((e.params as { type: string | string[] }).type);
      message = `${where} must be ${t.map((x) => TYPE_NAMES[x] ?? x).join(' or ')}, not ${describe(data)}`;
      break;
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      message = `${where} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, not ${describe(data)}`;
      break;
    }
    case 'pattern':
      message = `${where}: ${describe(data)} does not match the expected pattern ${(e.params as { pattern: string }).pattern}`;
      break;
    case 'uniqueItems':
      message = `${where} has duplicate items (${(e.params as { i: number; j: number }).j + 1} and ${(e.params as { i: number }).i + 1})`;
      break;
    case 'patternProperties':
    case 'propertyNames':
      message = `${where}: ${e.message ?? 'invalid key'}`;
      break;
    default:
      message = `${where} ${e.message ?? 'is invalid'}${data !== undefined && typeof data !== 'object' ? ` (found ${describe(data)})` : ''}`;
  }
  return { message, loc, path: issuePath };
}

/** The longest word a closest name is looked for (a longer one is no typo of a name). */
const MAX_TYPO_LENGTH = 64;

/**
 * The allowed key closest to a mistyped one, when it is close enough to be a typo: an edit distance
 * of 1 for a word of up to 3 characters, else 2 and 1 more per 8 characters. Work is bounded by
 * the word: none for a word past MAX_TYPO_LENGTH, none for a candidate whose length alone puts it
 * too far, and the distance stops at the first row past the limit.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  if (word.length > MAX_TYPO_LENGTH) return null;
  const limit = word.length <= 3 ? 1 : 2 + Math.floor(word.length / 8);
  const w = word.toLowerCase();
  let best: string | null = null;
  let bestD = limit + 1;
  for (const c of candidates) {
    // the distance is at least the difference of the lengths; the first of equals is kept
    if (Math.abs(c.length - w.length) >= bestD) continue;
    const d = distance(w, c.toLowerCase(), bestD - 1);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/**
 * One `closest` per word, asked of the same candidates by many names (each reference to an unknown
 * service or secret): a word asked again is answered from memory, and only the first `max` distinct
 * words are looked for (the others get no suggestion), so that n unknown names against n known ones
 * do not cost n times n.
 */
export function closestAmong(candidates: readonly string[], max = 200): (word: string) => string | null {
  const known = new Map<string, string | null>();
  return (word) => {
    let guess = known.get(word);
    if (guess === undefined) {
      guess = known.size < max ? closest(word, candidates) : null;
      known.set(word, guess);
    }
    return guess;
  };
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment),
 * or `max + 1` once it is sure to be more than `max`. Three rows, not the whole table.
 */
function distance(a: string, b: string, max: number): number {
  let prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // every later row is at least this row's least value (a swap reaches back one row, and costs 1)
    if (rowMin > max + 1) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[b.length]!, max + 1);
}

type SchemaNode = Record<string, unknown>;

/** The keys a schema allows at an instance path, following $ref, properties, patterns and items. */
function allowedKeys(root: unknown, path: string[]): string[] {
  const deref = (n: unknown): SchemaNode[] => {
    if (!n || typeof n !== 'object') return [];
    const node = n as SchemaNode;
    if (typeof node.$ref === 'string') {
      let cur: unknown = root;
      for (const p of node.$ref.replace(/^#\/?/, '').split('/').filter(Boolean)) cur = (cur as SchemaNode | undefined)?.[p];
      return deref(cur);
    }
    const alts = [
      ...((node.oneOf as unknown[]) ?? []),
      ...((node.anyOf as unknown[]) ?? []),
      ...((node.allOf as unknown[]) ?? []),
      // if/then/else (the config schema): either branch may hold the keys
      ...[node.then, node.else].filter((b) => b !== undefined),
    ].flatMap(deref);
    return [node, ...alts];
  };
  let cur: SchemaNode[] = deref(root);
  for (const seg of path) {
    const next: SchemaNode[] = [];
    for (const n of cur) {
      const props = n.properties as SchemaNode | undefined;
      if (props && seg in props) pushAll(next, deref(props[seg]));
      for (const [re, sub] of Object.entries((n.patternProperties as SchemaNode | undefined) ?? {})) if (new RegExp(re).test(seg)) pushAll(next, deref(sub));
      if (/^\d+$/.test(seg) && n.items) pushAll(next, deref(n.items));
      if (typeof n.additionalProperties === 'object') pushAll(next, deref(n.additionalProperties));
    }
    cur = next;
  }
  return [...new Set(cur.flatMap((n) => Object.keys((n.properties as object | undefined) ?? {})))];
}
