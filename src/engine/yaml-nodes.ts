/**
 * The nodes fixes edit through, from either reader: yaml's (`Document` nodes, for the files only it
 * reads) or the fast reader's (src/parse/fast-yaml.ts), which gives the same ranges, values and
 * quoting styles for what it reads. The edit helpers (./yaml-edits.ts) and the fixer (./fixer.ts)
 * look at nodes only through these functions.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Node as YamlNode, type Pair } from 'yaml';
import type { FastNode, FastPair } from '../parse/fast-yaml.js';

/** A node of the document a fix edits: yaml's or the fast reader's. */
export type EditNode = YamlNode | FastNode;
/** A key and its value in a mapping: yaml's `Pair` or the fast reader's. */
export type EditPair = Pair | FastPair;

export type NodeKind = 'scalar' | 'map' | 'seq' | 'alias' | 'pair';

/** The property yaml marks its nodes with (what its `isScalar`, `isMap`, ... read). */
const NODE_TYPE = Symbol.for('yaml.node.type');

/** What a node is; null for anything else (null, undefined, an unknown object). */
export function kindOf(n: unknown): NodeKind | null {
  if (n === null || typeof n !== 'object') return null;
  const t = (n as FastNode).t;
  if (t !== undefined) return t;
  // an object yaml did not mark (a pair of the fast reader) is none of yaml's nodes: told without
  // asking yaml, whose functions are reached through the bundle's lazy module loader on each call
  // (on the 2,000-service file that cost a fix 5% of its CPU)
  if ((n as { [NODE_TYPE]?: unknown })[NODE_TYPE] === undefined) return 'key' in n && 'value' in n ? 'pair' : null;
  if (isScalar(n)) return 'scalar';
  if (isMap(n)) return 'map';
  if (isSeq(n)) return 'seq';
  if (isAlias(n)) return 'alias';
  if (isPair(n)) return 'pair';
  // a pair of the fast reader: a key and a value, no node type of its own
  return 'key' in n && 'value' in n ? 'pair' : null;
}

/** `[start, end]` of a node's content in the text (yaml's `range[0]` and `range[1]`), or null. */
export function rangeOf(n: unknown): readonly [number, number] | null {
  if (n === null || typeof n !== 'object') return null;
  const f = n as FastNode;
  if (f.t !== undefined) return [f.start, f.end];
  const r = (n as { range?: [number, number, number] | null }).range;
  return r ? [r[0], r[1]] : null;
}

/** A scalar's style: `PLAIN`, `QUOTE_SINGLE`, `QUOTE_DOUBLE`, `BLOCK_LITERAL`, `BLOCK_FOLDED`. */
export function scalarStyle(n: unknown): string | undefined {
  return (n as { type?: string }).type;
}

/** A scalar's value (what yaml's core schema reads). */
export function scalarValue(n: unknown): unknown {
  return (n as { value?: unknown }).value;
}

export function isBlockScalar(n: unknown): boolean {
  if (kindOf(n) !== 'scalar') return false;
  const s = scalarStyle(n);
  return s === 'BLOCK_LITERAL' || s === 'BLOCK_FOLDED';
}

/**
 * Whether a mapping or sequence is written in flow style (`{a: 1}`, `[x]`). The fast reader's
 * collections start at their `{` or `[` when they are flow ones, at a key or a `-` when block ones.
 */
export function isFlowCollection(n: unknown, text: string): boolean {
  const f = n as FastNode;
  if (f.t !== undefined) {
    const c = text.charCodeAt(f.start);
    return (f.t === 'map' && c === 123) || (f.t === 'seq' && c === 91);
  }
  return Boolean((n as { flow?: boolean }).flow);
}

/** The items of a mapping (its pairs) or of a sequence (its nodes). */
export function itemsOf(n: unknown): readonly unknown[] {
  return (n as { items?: unknown[] }).items ?? [];
}

/** The key and the value of a pair. */
export function pairKey(p: unknown): unknown {
  return (p as { key?: unknown }).key;
}
export function pairValue(p: unknown): unknown {
  return (p as { value?: unknown }).value;
}
