/**
 * `fix --diff`'s unified diff. The `diff` package's line diff (Myers) costs the lines times the
 * changed lines: on a 2,000-service file where every service gets fixes it took 51 s. Fixes insert
 * and replace lines between lines that stay, so the lines found once in each text, in the same
 * order (patience diff's anchors: service keys, most keys with their values), cut the texts into
 * small gaps, and only those are diffed. Texts of up to SMALL_LINES lines are diffed whole, as
 * before. The patch is rendered by the package (`formatPatch`), with its hunks of 4 lines of
 * context and its "\ No newline at end of file".
 */
import { diffArrays, FILE_HEADERS_ONLY, formatPatch, type StructuredPatch } from 'diff';

/** Texts with at most this many lines (both together) are diffed whole. */
const SMALL_LINES = 2_000;
/** lines of context around a change, as the package writes them by default */
const CONTEXT = 4;

type Op = { kind: ' ' | '-' | '+'; line: string };

/** The unified diff of `a` into `b`, with `--- a/NAME` and `+++ b/NAME` headers. */
export function unifiedDiff(name: string, a: string, b: string): string {
  const as = linesOf(a);
  const bs = linesOf(b);
  const ops = as.length + bs.length <= SMALL_LINES ? diffLines(as, bs) : anchoredDiff(as, bs);
  const patch: StructuredPatch = { oldFileName: `a/${name}`, newFileName: `b/${name}`, oldHeader: undefined, newHeader: undefined, hunks: hunksOf(ops, as, bs) };
  return formatPatch(patch, FILE_HEADERS_ONLY);
}

/** The lines of a text, each with its line end (the last one without, when the text has none). */
function linesOf(text: string): string[] {
  const lines: string[] = [];
  let from = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
    lines.push(text.slice(from, nl + 1));
    from = nl + 1;
  }
  if (from < text.length) lines.push(text.slice(from));
  return lines;
}

/**
 * The edits a gap between anchors may take before it is shown as removed and added whole: a gap
 * with no line found once in each text (a file of repeated lines) would otherwise cost its lines
 * times its changes again.
 */
const MAX_GAP_EDITS = 2_000;

function diffLines(as: readonly string[], bs: readonly string[], maxEditLength?: number): Op[] {
  const ops: Op[] = [];
  const parts = maxEditLength === undefined ? diffArrays(as as string[], bs as string[]) : diffArrays(as as string[], bs as string[], { maxEditLength });
  if (!parts) {
    for (const line of as) ops.push({ kind: '-', line });
    for (const line of bs) ops.push({ kind: '+', line });
    return ops;
  }
  for (const part of parts) {
    const kind = part.added ? '+' : part.removed ? '-' : ' ';
    for (const line of part.value) ops.push({ kind, line });
  }
  return ops;
}

/** The lines unique in both texts, matched in order (the longest increasing run), and the gaps between them diffed. */
function anchoredDiff(as: readonly string[], bs: readonly string[]): Op[] {
  const count = (lines: readonly string[]) => {
    const m = new Map<string, number>();
    lines.forEach((l, i) => m.set(l, m.has(l) ? -1 : i));
    return m;
  };
  const inA = count(as);
  const inB = count(bs);
  // pairs (i, j) of lines found once in each, in a's order; the longest run increasing in j
  const pairs: Array<[number, number]> = [];
  for (const [line, i] of inA) {
    const j = inB.get(line);
    if (i >= 0 && j !== undefined && j >= 0) pairs.push([i, j]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  const anchors = longestIncreasing(pairs);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  for (const [ai, bj] of [...anchors, [as.length, bs.length] as [number, number]]) {
    for (const op of diffLines(as.slice(i, ai), bs.slice(j, bj), MAX_GAP_EDITS)) ops.push(op);
    if (ai < as.length) ops.push({ kind: ' ', line: as[ai]! });
    i = ai + 1;
    j = bj + 1;
  }
  return ops;
}

/** The longest subsequence of `pairs` (sorted by their first) increasing in their second (patience sorting). */
function longestIncreasing(pairs: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const tails: number[] = [];
  const prev = new Array<number>(pairs.length).fill(-1);
  for (let k = 0; k < pairs.length; k++) {
    const v = pairs[k]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[k] = tails[lo - 1]!;
    tails[lo] = k;
  }
  const out: Array<[number, number]> = [];
  for (let k = tails.length ? tails[tails.length - 1]! : -1; k >= 0; k = prev[k]!) out.push(pairs[k]!);
  return out.reverse();
}

/** Hunks as the package makes them: changes less than twice the context apart share one. */
function hunksOf(ops: readonly Op[], as: readonly string[], bs: readonly string[]): StructuredPatch['hunks'] {
  const hunks: StructuredPatch['hunks'] = [];
  // the line numbers (0-based) before each op
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 0;
  let n = 0;
  for (const op of ops) {
    oldAt.push(o);
    newAt.push(n);
    if (op.kind !== '+') o++;
    if (op.kind !== '-') n++;
  }
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.kind === ' ') {
      k++;
      continue;
    }
    const from = Math.max(0, k - CONTEXT);
    // the last change of the hunk: a change after at most twice the context of equal lines joins it
    let end = k;
    for (let x = k + 1; x < ops.length && x - end <= 2 * CONTEXT + 1; x++) if (ops[x]!.kind !== ' ') end = x;
    const to = Math.min(ops.length, end + 1 + CONTEXT);
    const lines: string[] = [];
    let oldLines = 0;
    let newLines = 0;
    for (let x = from; x < to; x++) {
      const op = ops[x]!;
      lines.push(op.kind + op.line.replace(/\n$/, ''));
      if (op.kind !== '+') oldLines++;
      if (op.kind !== '-') newLines++;
      // the last line of a text that does not end in a line end
      const lastOld = op.kind !== '+' && oldAt[x] === as.length - 1 && !op.line.endsWith('\n');
      const lastNew = op.kind !== '-' && newAt[x] === bs.length - 1 && !op.line.endsWith('\n');
      if (lastOld || lastNew) lines.push('\\ No newline at end of file');
    }
    // 1-based; the package writes a range of no lines at the line before it
    hunks.push({ oldStart: oldAt[from]! + 1, oldLines, newStart: newAt[from]! + 1, newLines, lines });
    k = to;
  }
  return hunks;
}
