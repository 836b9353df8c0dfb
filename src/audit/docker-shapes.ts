/**
 * The check of a value against one of the shapes of docker's JSON (`docker-shape-defs.ts`): the
 * first field that does not fit, as one message naming it.
 */
import { fitsInfo, fitsNetwork, fitsNode, fitsService, fitsSnapshotNetwork, fitsTask } from '../generated/docker-shape-fits.js';
import { INFO_SHAPE, NETWORK_SHAPE, NODE_SHAPE, SERVICE_SHAPE, SNAPSHOT_NETWORK_SHAPE, TASK_SHAPE, type Shape } from './docker-shape-defs.js';

export * from './docker-shape-defs.js';

/**
 * The first place where `value` departs from `shape`, as `PATH is VALUE (a TYPE), expected ...`
 * (`PATH` starts with `where`); null when it fits. The value itself must be there: null or absent
 * is `PATH is null, expected an object`. Each shape is compiled once into a checker that visits a
 * value only where the shape goes (a scalar of the right type is checked where it is found), so the
 * depth of the walk is the shape's, however deep a hostile document nests, and nothing is allocated
 * for a value that fits: the path is written out only for the message (a snapshot holds millions of
 * values).
 */
export function findShapeError(value: unknown, shape: Shape, where: string): string | null {
  if (value === null || value === undefined) return mismatch(where, null, describeShape(shape));
  if (fitsOf(shape)(value)) return null;
  const failure = checkerOf(shape)(value);
  return failure ? failure.message(pathText(where, failure.path)) : null;
}

/**
 * The same for each item of a list, whose items are at `where[i]` (`services[3]`): the message
 * about the first item that does not fit, or null.
 */
export function findListShapeError(list: readonly unknown[], shape: Shape, where: string): string | null {
  return firstListMisfit(list, shape, (i) => `${where}[${i}]`)?.message ?? null;
}

/** The first item of a list that does not fit a shape, and the message about it (item `i` at `whereOf(i)`), or null. */
export function firstListMisfit(list: readonly unknown[], shape: Shape, whereOf: (i: number) => string): { index: number; message: string } | null {
  const fits = fitsOf(shape);
  const check = checkerOf(shape);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === null || v === undefined) return { index: i, message: mismatch(whereOf(i), null, describeShape(shape)) };
    if (fits(v)) continue;
    const failure = check(v);
    if (failure) return { index: i, message: failure.message(pathText(whereOf(i), failure.path)) };
  }
  return null;
}

/**
 * Whether a value (neither null nor absent) fits a shape: the same test as the shape's checker,
 * written out at build time for each exported shape as straight-line code with the shape's field
 * names as literals (`src/generated/docker-shape-fits.ts`, by `scripts/build-shape-fits.mjs`; a
 * snapshot has tens of thousands of tasks, and a loop over a shape's fields reading `value[field]`
 * looks each field up generically). Only a value that does not fit is walked again by the checker,
 * for its message. Another shape (a part of one) is tested by its checker.
 */
type Fits = (v: unknown) => boolean;

const FITS = new Map<Shape, Fits>([
  [INFO_SHAPE, fitsInfo],
  [NODE_SHAPE, fitsNode],
  [SERVICE_SHAPE, fitsService],
  [TASK_SHAPE, fitsTask],
  [NETWORK_SHAPE, fitsNetwork],
  [SNAPSHOT_NETWORK_SHAPE, fitsSnapshotNetwork],
]);

function fitsOf(shape: Shape): Fits {
  if (typeof shape === 'string') return (v) => shape === 'any' || typeof v === shape;
  return FITS.get(shape) ?? ((v) => checkerOf(shape)(v) === null);
}

/** Where a value departs from its shape: the steps to it from the checked value, innermost first. */
interface Failure {
  path: Step[];
  message: (path: string) => string;
}

/** A field (`.Name`), a list index (`[3]`) or a map key (`["a.b"]`). */
type Step = { kind: 'field' | 'mapKey'; key: string } | { kind: 'index'; key: number };

/** Checks a value that is neither null nor absent. */
type Checker = (v: unknown) => Failure | null;

const checkers = new WeakMap<object, Checker>();
const scalarCheckers = new Map<string, Checker>();

function checkerOf(shape: Shape): Checker {
  if (typeof shape === 'string') {
    let c = scalarCheckers.get(shape);
    if (!c) scalarCheckers.set(shape, (c = compile(shape)));
    return c;
  }
  let c = checkers.get(shape);
  if (!c) checkers.set(shape, (c = compile(shape)));
  return c;
}

function fail(v: unknown, expected: string): Failure {
  return { path: [], message: (path) => mismatch(path, v, expected) };
}

/** A scalar shape that a value of `typeof` fits without a visit, or null for a list, map or object. */
function scalarType(s: Shape): string | null {
  return typeof s === 'string' ? s : null;
}

function compile(shape: Shape): Checker {
  if (shape === 'any') return () => null;
  if (typeof shape === 'string') return (v) => (typeof v === shape ? null : fail(v, `a ${shape}`));
  if ('list' in shape) {
    const of = shape.list;
    const scalar = scalarType(of);
    const item = checkerOf(of);
    const expected = describeShape(of);
    return (v) => {
      if (!Array.isArray(v)) return fail(v, 'a list');
      // a null item is told before what is inside the items (the last one, as the walk found it first)
      for (let i = v.length - 1; i >= 0; i--) {
        if (v[i] === null) {
          const f = fail(null, expected);
          f.path.push({ kind: 'index', key: i });
          return f;
        }
      }
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x === undefined || scalar === 'any' || typeof x === scalar) continue;
        const f = item(x);
        if (f) {
          f.path.push({ kind: 'index', key: i });
          return f;
        }
      }
      return null;
    };
  }
  if ('map' in shape) {
    const of = shape.map;
    const scalar = scalarType(of);
    const item = checkerOf(of);
    return (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(v, 'an object');
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      // from the last key: the order the walk has always reported in
      for (let i = keys.length - 1; i >= 0; i--) {
        const x = o[keys[i]!];
        if (x === null || x === undefined || scalar === 'any' || typeof x === scalar) continue;
        const f = item(x);
        if (f) {
          f.path.push({ kind: 'mapKey', key: keys[i]! });
          return f;
        }
      }
      return null;
    };
  }
  const fields = Object.keys(shape.object);
  const shapes = fields.map((k) => shape.object[k]!);
  const scalars = shapes.map(scalarType);
  const required = (shape.required ?? []).map((k) => [k, describeShape(shape.object[k]!)] as const);
  // compiled when first used: a shape's fields are compiled once, whatever order they are met in
  let items: Checker[] | null = null;
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(v, 'an object');
    const o = v as Record<string, unknown>;
    for (const [k, expected] of required) {
      if (o[k] === undefined || o[k] === null) return { path: [], message: (path) => `${join(path, k)} is missing; expected ${expected}` };
    }
    for (let i = 0; i < fields.length; i++) {
      const x = o[fields[i]!];
      if (x === null || x === undefined) continue;
      const scalar = scalars[i];
      if (scalar !== null && (scalar === 'any' || typeof x === scalar)) continue;
      items ??= shapes.map(checkerOf);
      const f = items[i]!(x);
      if (f) {
        f.path.push({ kind: 'field', key: fields[i]! });
        return f;
      }
    }
    return null;
  };
}

/** `where` and the steps (innermost first) as `services[3].Spec.Labels["a"]`. */
function pathText(where: string, steps: readonly Step[]): string {
  let out = where;
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.kind === 'field') out = join(out, s.key);
    else if (s.kind === 'index') out = `${out}[${s.key}]`;
    else out = `${out}[${JSON.stringify(s.key)}]`;
  }
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describeShape(s: Shape): string {
  if (typeof s === 'string') return s === 'any' ? 'a value' : `a ${s}`;
  if ('list' in s) return 'a list';
  return 'an object';
}

function mismatch(path: string, v: unknown, expected: string): string {
  return `${path || 'the document'} is ${showValue(v)}, expected ${expected}`;
}

/**
 * A wrong value as the message shows it: numbers and booleans quoted, strings only by kind (a
 * string in the wrong place may be an environment value, which stackopt never prints).
 */
function showValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' || typeof v === 'boolean') return `${String(v)} (a ${typeof v})`;
  return `a ${typeof v}`;
}
