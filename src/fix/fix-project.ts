/**
 * The fix loop, ESLint style: lint, take every finding's fix that may run, apply the ones that do
 * not overlap (all edits of one problem or none), check the result, repeat until nothing changes
 * or ten passes have run. Works on texts in memory; writing files is the caller's business.
 */
import { resolve } from 'node:path';
import { displayPath } from '../parse/load-project.js';
import { lintProject, type LintOptions, type LintResult } from '../engine/lint.js';
import type { Finding, Fix, TextEdit } from '../engine/types.js';
import type { SourceFile } from '../parse/source-file.js';
import type { ExtendsChain } from '../parse/located.js';
import type { Stack } from '../model/types.js';
import { applyEdits } from './apply-edits.js';
import { editsConflict } from '../engine/text-edits.js';
import { mergeBlockInsertions } from '../engine/yaml-edits.js';
import { totalResources, type ResourceTotals } from '../model/resource-totals.js';
import { pushAll } from '../parse/collect.js';
import { allRules } from '../engine/registry.js';

export const MAX_PASSES = 10;

/**
 * Rule ids whose new findings make a pass invalid wherever they appear (same rule, file, path and
 * message): the text must still parse, validate and merge.
 */
const GUARD_RULES = new Set(['yaml-syntax', 'schema', 'merge']);

export interface FixOptions extends LintOptions {
  /** also apply fixes marked unsafe */
  unsafe?: boolean;
  /** only apply fixes of these rules (all findings are still reported) */
  only?: readonly string[];
  maxPasses?: number;
}

export interface AppliedFix {
  ruleId: string;
  service: string | null;
  path: string;
  message: string;
  description: string;
  /** display path of the file edited */
  file: string;
  pass: number;
  unsafe: boolean;
}

export type LeftReason = 'no-fix' | 'not-possible' | 'unsafe' | 'not-selected' | 'rejected' | 'conflict' | 'not-removed' | 'other-file';

export interface LeftFinding {
  /** the finding as the final re-lint reports it (positions in the fixed text) */
  finding: Finding;
  /** the same finding before fixing (positions in the input), when it was there already */
  original?: Finding;
  reason: LeftReason;
  /** one line: why it was left */
  why: string;
}

/**
 * Fixes taken out of a pass because the pass with them made the project worse: it no longer
 * parsed, or it gained an error finding (of any rule, counted per rule and service) that the
 * project before the pass did not have. The rest of the pass was applied without them.
 */
export interface DroppedPass {
  pass: number;
  /** the fixes that made it worse */
  fixes: Array<{ ruleId: string; service: string | null; description: string }>;
  /** the problems the pass would have introduced */
  problems: string[];
}

export interface FileOutput {
  source: SourceFile;
  /** the file's bytes as read (BOM included) */
  original: string;
  /** the fixed bytes (BOM and line ends kept) */
  output: string;
  changed: boolean;
}

export interface FixResult {
  /** the first file of the project (how findings are grouped) */
  file: string;
  files: FileOutput[];
  applied: AppliedFix[];
  left: LeftFinding[];
  dropped: DroppedPass[];
  passes: number;
  /** findings before fixing and after (the final re-lint) */
  before: Finding[];
  after: Finding[];
  /** the project could not be fixed at all (it does not parse, or its line ends cannot be written): why */
  blocked: FixBlocked | null;
  /** what the stack reserves and limits in all, before fixing and after (null without a stack) */
  resources: { before: ResourceTotals | null; after: ResourceTotals | null };
  /** the model of the project before fixing and of the fixed text (null without a stack) */
  stacks: { before: Stack | null; after: Stack | null };
  /** every file the project read (absolute): what an output must not overwrite */
  read: string[];
}

interface Candidate {
  finding: Finding;
  fix: Fix;
}

const findingKey = (f: Finding) => `${f.ruleId}\u0000${f.file}\u0000${f.path}\u0000${f.message}`;
/** A finding whatever its path: a fix of another rule may add the block its path ends in. */
const problemKey = (f: Finding) => `${f.ruleId}\u0000${f.file}\u0000${f.service}\u0000${f.message}`;
/**
 * Values by problem (rule, file, service and message, as `problemKey`), without a key string made
 * per finding: the message is looked up as the finding holds it (a large report has tens of
 * thousands of findings, each message a hundred characters or more).
 */
class ProblemIndex<T> {
  private readonly byPlace = new Map<string, Map<string, T>>();

  private static place(f: Finding): string {
    return `${f.ruleId}\u0000${f.file}\u0000${f.service}`;
  }

  get(f: Finding): T | undefined {
    return this.byPlace.get(ProblemIndex.place(f))?.get(f.message);
  }

  set(f: Finding, value: T): void {
    const place = ProblemIndex.place(f);
    let m = this.byPlace.get(place);
    if (!m) this.byPlace.set(place, (m = new Map()));
    m.set(f.message, value);
  }
}
const guardKey = (f: Finding) => `${f.ruleId}\u0000${f.file}\u0000${f.path}\u0000${f.message}`;

/** Fix one project (one file, or the -f files of a merged project). Throws InputError when a file cannot be read. */
export function fixProject(opts: FixOptions): FixResult {
  const maxPasses = opts.maxPasses ?? MAX_PASSES;
  const texts = new Map<string, string>();
  // without --unsafe, the fixes of rules that make only unsafe ones never run: they are computed
  // only when read, for the report of the findings left
  const defer = opts.deferUnsafeFixes ?? !opts.unsafe;
  const inheritedByExtends = new Set((opts.rules ?? allRules).filter((r) => r.meta.fixInheritedByExtends).map((r) => r.meta.id));
  const neverRun = new Set(defer && !opts.unsafe ? (opts.rules ?? allRules).filter((r) => r.meta.fixable === 'unsafe').map((r) => r.meta.id) : []);
  const lint = (): LintResult =>
    lintProject({
      ...opts,
      withFixes: true,
      deferUnsafeFixes: defer,
      readText: (abs) => {
        const t = texts.get(abs);
        if (t !== undefined) return sourceByPath.get(abs)!.toRaw(t);
        return opts.readText?.(abs);
      },
    });
  const sourceByPath = new Map<string, SourceFile>();

  let result = lint();
  for (const s of result.sources) {
    sourceByPath.set(s.path, s);
    texts.set(s.path, s.text);
  }
  const originals = result.sources.map((s) => ({ source: s, original: s.toRaw(s.text) }));
  const before = result.findings;
  const stackBefore = result.stack;
  const resourcesBefore = stackBefore ? totalResources(stackBefore) : null;
  const applied: AppliedFix[] = [];
  const dropped: DroppedPass[] = [];
  const rejected = new Map<string, string>();
  const appliedKeys = new Set<string>();
  /** fixes whose folded insertion made the file worse: not folded again, each tried on its own */
  const unfold = new Set<string>();
  const notRemoved = new Set<string>();
  let passes = 0;

  const blocked = blockingProblem(result);
  if (!blocked) {
    for (let pass = 1; pass <= maxPasses; pass++) {
      const candidates: Candidate[] = [];
      for (const f of result.findings) {
        if (neverRun.has(f.ruleId)) continue;
        if (!f.fix || f.fix.edits.length === 0 || !mayRun(f, f.fix, opts)) continue;
        if (!texts.has(f.fix.file)) continue;
        // the keys hold the message: made only when a map could hold them (none in the first pass)
        if (rejected.size > 0 && rejected.has(problemKey(f))) continue;
        if (appliedKeys.size > 0) {
          const key = findingKey(f);
          if (appliedKeys.has(key)) {
            // its fix ran in an earlier pass and the finding is still there: do not loop on it
            notRemoved.add(key);
            continue;
          }
        }
        if (!validFix(f.fix, texts.get(f.fix.file)!)) {
          rejected.set(problemKey(f), 'its edits overlap or lie outside the file');
          continue;
        }
        candidates.push({ finding: f, fix: f.fix });
      }
      if (candidates.length === 0) break;
      waitForBases(candidates, result.stack, inheritedByExtends);
      const accepted = selectFixes(candidates, unfold.size > 0 ? (c) => !unfold.has(problemKey(c.finding)) : undefined);
      passes = pass;
      const attempt = tryPass(accepted, texts, lint, result);
      if (attempt.failed.length > 0) {
        dropped.push({
          pass,
          fixes: attempt.failed.map((c) => ({ ruleId: c.finding.ruleId, service: c.finding.service, description: c.fix.description })),
          problems: attempt.problems,
        });
        for (const c of attempt.failed) rejected.set(problemKey(c.finding), `it would make the file worse: ${attempt.why.get(c)}`);
      }
      // fixes that made the file worse only as one folded insertion are tried again each on its own
      for (const c of attempt.unfolded) unfold.add(problemKey(c.finding));
      if (attempt.kept.length === 0) {
        if (attempt.failed.length === 0 && attempt.unfolded.length === 0) break;
        continue; // a rejected fix may have hidden others at the same place: try again without it
      }
      for (const c of attempt.kept) {
        appliedKeys.add(findingKey(c.finding));
        applied.push({
          ruleId: c.finding.ruleId,
          service: c.finding.service,
          path: c.finding.path,
          message: c.finding.message,
          description: c.fix.description,
          file: sourceByPath.get(c.fix.file)?.displayPath ?? c.fix.file,
          pass,
          unsafe: Boolean(c.fix.unsafe),
        });
      }
      for (const [p, t] of attempt.texts) texts.set(p, t);
      result = attempt.result!;
    }
  }

  const after = result.findings;
  // the same problem before fixing: same rule, service and message (a fix may have moved its path)
  const originalOf = new ProblemIndex<{ list: Finding[]; taken: number }>();
  for (const f of before) {
    const entry = originalOf.get(f);
    if (entry) entry.list.push(f);
    else originalOf.set(f, { list: [f], taken: 0 });
  }
  const left: LeftFinding[] = after.map((f) => {
    const entry = originalOf.get(f);
    const original = entry && entry.taken < entry.list.length ? entry.list[entry.taken++] : undefined;
    return { finding: f, ...(original ? { original } : {}), ...leftReason(f, opts, rejected, notRemoved, texts, blocked) };
  });
  const files: FileOutput[] = originals.map(({ source, original }) => {
    const output = source.toRaw(texts.get(source.path)!);
    return { source, original, output, changed: output !== original };
  });
  const resources = { before: resourcesBefore, after: result.stack ? totalResources(result.stack) : null };
  const stacks = { before: stackBefore, after: result.stack };
  return { file: result.file, files, applied, left, dropped, passes, before, after, blocked, resources, stacks, read: result.project.read };
}

/**
 * Drop the candidates of rules whose fix a service inherits through `extends` as it is (the rule's
 * `meta.fixInheritedByExtends`, `inherited`) when a base of the service (or a base of its base) has
 * one of the same rule in the pass: the base's fix reaches it. Applied to every link of an
 * `extends` chain at once, each service would hold the items of all its bases (n links, n²/2
 * items: 4,000 links took 93 s).
 */
function waitForBases(candidates: Candidate[], stack: Stack | null, inherited: ReadonlySet<string>): void {
  if (!stack || !candidates.some((c) => inherited.has(c.finding.ruleId))) return;
  // a service's place in its file names it among the bases an `extends` chain holds
  const at = (loc: { kind: string; source?: { path: string }; start?: number }) => (loc.kind === 'file' ? `${loc.source!.path}\u0000${loc.start}` : null);
  const byPlace = new Map<string, string>();
  for (const s of stack.services) {
    const k = at(s.ref.node.loc);
    if (k) byPlace.set(k, s.name);
  }
  const fixed = new Map<string, Set<string>>();
  for (const c of candidates) {
    if (!inherited.has(c.finding.ruleId) || c.finding.service === null) continue;
    let names = fixed.get(c.finding.ruleId);
    if (!names) fixed.set(c.finding.ruleId, (names = new Set()));
    names.add(c.finding.service);
  }
  const services = new Map(stack.services.map((s) => [s.name, s]));
  // per rule, whether a chain (from a link on) holds a service with a candidate: the links are
  // shared by the services that extend them, so each is looked at once (many services extending
  // one long chain would otherwise each walk it)
  const holds = new Map<string, Map<ExtendsChain, boolean>>();
  const chainHolds = (chain: ExtendsChain | undefined, names: ReadonlySet<string>, memo: Map<ExtendsChain, boolean>): boolean => {
    const walked: ExtendsChain[] = [];
    let found = false;
    for (let b = chain; b; b = b.rest) {
      const known = memo.get(b);
      if (known !== undefined) {
        found = known;
        break;
      }
      walked.push(b);
      const place = at(b.loc);
      const base = place === null ? undefined : byPlace.get(place);
      if (base !== undefined && names.has(base)) {
        found = true;
        break;
      }
    }
    // a link before the one that answered holds what that one holds
    for (const b of walked) memo.set(b, found);
    return found;
  };
  let w = 0;
  for (const c of candidates) {
    const names = fixed.get(c.finding.ruleId);
    const svc = names && c.finding.service !== null ? services.get(c.finding.service) : undefined;
    let memo = holds.get(c.finding.ruleId);
    if (!memo) holds.set(c.finding.ruleId, (memo = new Map()));
    const waits = svc !== undefined && svc.ref.node.kind === 'map' && chainHolds(svc.ref.node.extendsFrom, names!, memo);
    if (!waits) candidates[w++] = c;
  }
  candidates.length = w;
}

function mayRun(f: Finding, fix: Fix, opts: FixOptions): boolean {
  if (opts.only && opts.only.length > 0 && !opts.only.includes(f.ruleId)) return false;
  if (fix.unsafe && !opts.unsafe) return false;
  return true;
}

function validFix(fix: Fix, text: string): boolean {
  const es = fix.edits;
  for (let i = 0; i < es.length; i++) {
    const e = es[i]!;
    if (e.start < 0 || e.end < e.start || e.end > text.length) return false;
    for (let j = i + 1; j < es.length; j++) if (editsConflict(e, es[j]!)) return false;
  }
  return true;
}

/**
 * Why a project was not fixed at all: a file does not parse (`parse`: the first yaml error as
 * `file:line:col: message`), it holds no compose document (`no-document`), or a file's lines end in
 * a lone CR, which the edits cannot write (`line-ends`).
 */
export interface FixBlocked {
  kind: 'parse' | 'no-document' | 'line-ends';
  /** one line, said to the user */
  message: string;
}

/**
 * `blocked` as one line of text, as the programmatic API and the resource ledger have always said
 * it: the message, after `line ends: ` for line ends.
 */
export function blockedText(b: FixBlocked): string {
  return b.kind === 'line-ends' ? `line ends: ${b.message}` : b.message;
}

/** A project whose files do not parse is not fixed: edits need a document to aim at. */
function blockingProblem(r: LintResult): FixBlocked | null {
  const fatal = r.findings.find((f) => f.ruleId === 'yaml-syntax' && f.severity === 'error');
  if (fatal) return { kind: 'parse', message: `${fatal.file}:${fatal.line}:${fatal.column}: ${fatal.message}` };
  if (!r.stack) return { kind: 'no-document', message: 'the file holds no compose document' };
  // the edits insert lines with LF or CRLF: in a file of lone CRs they would not be lines
  const cr = r.sources.find((s) => s.loneCr);
  if (cr) return { kind: 'line-ends', message: `${cr.displayPath}'s lines end in a lone CR (old Mac line ends), which fixes cannot write; convert them to LF (or CR LF) first` };
  return null;
}

/**
 * The fixes of one pass: in document order, a fix whose edits touch an edit already taken waits
 * for the next pass; a fix with exactly the edits of one already taken (the same change needed by
 * several findings, e.g. at a shared anchor) rides along.
 */
export function selectFixes<C extends { fix: Fix }>(candidates: readonly C[], mayFold: (c: C) => boolean = () => true): C[] {
  // each fix's first offset found once, not once per comparison
  const sorted = candidates
    .map((c) => ({ c, start: firstStart(c.fix) }))
    .sort((a, b) => (a.c.fix.file === b.c.fix.file ? 0 : a.c.fix.file.localeCompare(b.c.fix.file)) || a.start - b.start)
    .map((x) => x.c);
  const taken: C[] = [];
  const byFile = new Map<string, EditIndex>();
  /** the fixes taken, by their edits (a fix with the edits of one taken rides along) */
  const bySignature = new Map<string, C[]>();
  /** which fixes an edit in the index belongs to (their signature) */
  const owner = new Map<TextEdit, string>();
  /** the groups another fix was folded into (`foldInto`): who joins them takes their edits */
  const folded = new Set<C[]>();
  for (const c of sorted) {
    const sig = signature(c.fix);
    const same = bySignature.get(sig);
    if (same) {
      if (folded.has(same)) c.fix = { ...c.fix, edits: same[0]!.fix.edits };
      same.push(c);
      taken.push(c);
      continue;
    }
    let index = byFile.get(c.fix.file);
    if (!index) byFile.set(c.fix.file, (index = new EditIndex()));
    if (c.fix.edits.some((e) => index!.clashes(e))) {
      if (mayFold(c) && foldInto(c, sig, index, bySignature, owner, folded)) taken.push(c);
      continue;
    }
    for (const e of c.fix.edits) {
      index.add(e);
      owner.set(e, sig);
    }
    bySignature.set(sig, [c]);
    taken.push(c);
  }
  return taken;
}

/**
 * A fix of one edit that adds a key to a block mapping where a fix taken before adds the same key
 * (both a mapping: two rules adding `deploy:` to a service without one) joins that fix: the two
 * insertions become one (`mergeBlockInsertions`), which gives the text the second fix would give
 * in the next pass, and the fixes are one unit from then on (applied, checked and rejected
 * together). Without this the second fix waits a pass, and the whole project is linted once more.
 */
function foldInto<C extends { fix: Fix }>(c: C, sig: string, index: EditIndex, bySignature: Map<string, C[]>, owner: Map<TextEdit, string>, folded: Set<C[]>): boolean {
  if (c.fix.edits.length !== 1) return false;
  const e = c.fix.edits[0]!;
  const clashing = index.clashing(e);
  if (clashing.length !== 1) return false;
  const old = clashing[0]!;
  const merged = mergeBlockInsertions(old, e);
  const oldSig = owner.get(old);
  const group = oldSig === undefined ? undefined : bySignature.get(oldSig);
  if (!merged || !group) return false;
  const edits = group[0]!.fix.edits.map((x) => (x === old ? merged : x));
  for (const g of group) g.fix = { ...g.fix, edits };
  c.fix = { ...c.fix, edits };
  group.push(c);
  index.replace(old, merged);
  owner.delete(old);
  const mergedSig = signature(c.fix);
  owner.set(merged, mergedSig);
  for (const x of edits) if (x !== merged) owner.set(x, mergedSig);
  // a later fix with the edits of either one (the same change for another service) joins the group
  bySignature.set(sig, group);
  bySignature.set(mergedSig, group);
  folded.add(group);
  return true;
}

/** Edits taken so far in one file, sorted by start, for quick overlap checks. */
class EditIndex {
  private edits: TextEdit[] = [];
  private longest = 0;

  private lowerBound(pos: number): number {
    let lo = 0;
    let hi = this.edits.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.edits[mid]!.start < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  clashes(e: TextEdit): boolean {
    // every edit that could touch e starts in [e.start - longest, e.end]
    for (let i = this.lowerBound(e.start - this.longest); i < this.edits.length; i++) {
      const o = this.edits[i]!;
      if (o.start > e.end) break;
      if (editsConflict(o, e)) return true;
    }
    return false;
  }

  /** The edits taken that e clashes with. */
  clashing(e: TextEdit): TextEdit[] {
    const out: TextEdit[] = [];
    for (let i = this.lowerBound(e.start - this.longest); i < this.edits.length; i++) {
      const o = this.edits[i]!;
      if (o.start > e.end) break;
      if (editsConflict(o, e)) out.push(o);
    }
    return out;
  }

  /** Put `by` where `old` is (an insertion replaced by a longer one at the same offset). */
  replace(old: TextEdit, by: TextEdit): void {
    const i = this.edits.indexOf(old, this.lowerBound(old.start));
    if (i >= 0) this.edits[i] = by;
    this.longest = Math.max(this.longest, by.end - by.start);
  }

  add(e: TextEdit): void {
    this.edits.splice(this.lowerBound(e.start), 0, e);
    this.longest = Math.max(this.longest, e.end - e.start);
  }
}

function firstStart(f: Fix): number {
  let m = Infinity;
  for (const e of f.edits) m = Math.min(m, e.start);
  return m;
}

/** A fix's edits as one string, made once per fix (selection, grouping and applying all ask). */
const signatures = new WeakMap<Fix, string>();
function signature(f: Fix): string {
  let s = signatures.get(f);
  if (s === undefined) signatures.set(f, (s = `${f.file}\u0000${f.edits.map((e) => `${e.start}:${e.end}:${e.text}`).join('\u0001')}`));
  return s;
}

interface PassAttempt<C> {
  kept: C[];
  /** the fixes that make the project worse on their own, with what each would add */
  failed: C[];
  /**
   * the fixes of a folded insertion (`foldInto`) that made the project worse together: which of
   * them did is not known, so none is rejected; the next pass tries each on its own
   */
  unfolded: C[];
  why: Map<C, string>;
  problems: string[];
  texts: Map<string, string>;
  result: LintResult | null;
}

/**
 * Apply a pass and check it. When the result does not parse, gains a schema error, or gains an
 * error finding of any rule (counted per rule and service, so a finding whose path moved because
 * a fix added a block is the same finding), the fixes responsible are found and the pass goes on
 * without them: the set is split (first into the fixes of the services that gained a finding and
 * the others, else in halves) until the culprits are found. A fix that makes things worse on its
 * own is rejected; fixes that are fine alone but not together (two services of an `extends` chain
 * adding the same list item) keep the first group and leave the rest for the next pass, which
 * sees the first applied.
 *
 * Fixes with the same edits (one change needed by several findings) are one unit. Each check is a
 * full lint, so a pass makes at most a number of checks logarithmic in the number of units; what
 * it could not check waits for the next pass (a chain of 500 services each conflicting with the
 * next would otherwise cost a thousand lints of the whole file per pass).
 */
function tryPass<C extends Candidate>(accepted: C[], texts: Map<string, string>, lint: () => LintResult, previous: LintResult): PassAttempt<C> {
  const baseline = countGuard(previous);
  const problems: string[] = [];
  const units = groupBySignature(accepted);
  let budget = checkBudget(units.length);
  const check = (set: C[][]): { ok: boolean; texts: Map<string, string>; result: LintResult; problems: string[]; services: Set<string | null> } => {
    budget--;
    const next = applySet(set.flat(), texts);
    const saved = new Map(texts);
    for (const [p, t] of next) texts.set(p, t);
    let result: LintResult;
    try {
      result = lint();
    } finally {
      for (const [p, t] of saved) texts.set(p, t);
    }
    const found = newGuardFindings(baseline, result);
    return { ok: found.problems.length === 0, texts: next, result, ...found };
  };
  const failed: C[] = [];
  const unfolded: C[] = [];
  const why = new Map<C, string>();
  type Solved = { good: C[][]; texts: Map<string, string>; result: LintResult | null };
  const waits: Solved = { good: [], texts: new Map(), result: null };
  const solve = (set: C[][]): Solved => {
    if (budget <= 0) return waits;
    const r = check(set);
    if (r.ok) return { good: set, texts: r.texts, result: r.result };
    if (set.length === 1 && set[0]!.some((c) => c.fix !== c.finding.fix)) {
      pushAll(unfolded, set[0]!);
      return waits;
    }
    if (set.length === 1) {
      // fixes that make things worse on their own: what they add is the reason
      for (const c of set[0]!) {
        failed.push(c);
        why.set(c, r.problems[0]!);
      }
      for (const p of r.problems) if (!problems.includes(p)) problems.push(p);
      return waits;
    }
    // the fixes of the services that gained a finding are the likely culprits: the others go first
    const touches = (u: C[]) => u.some((c) => r.services.has(c.finding.service));
    const others = set.filter((u) => !touches(u));
    const split = others.length > 0 && others.length < set.length && !r.services.has(null);
    const first = split ? others : set.slice(0, Math.ceil(set.length / 2));
    const rest = split ? set.filter(touches) : set.slice(first.length);
    const a = solve(first);
    const b = solve(rest);
    if (b.good.length === 0) return a;
    if (a.good.length === 0) return b;
    if (budget <= 0) return a;
    const both = check([...a.good, ...b.good]);
    if (both.ok) return { good: [...a.good, ...b.good], texts: both.texts, result: both.result };
    return a; // b waits for the next pass
  };
  const solved = solve(units);
  return { kept: solved.good.flat(), failed, unfolded, why, problems, texts: solved.texts, result: solved.result };
}

/** Checks one pass may make for n units: enough to find a few bad fixes by halving, never n of them. */
export function checkBudget(n: number): number {
  return 4 * Math.ceil(Math.log2(n + 1)) + 8;
}

/** Candidates with the same edits, together, in the order of their first member. */
function groupBySignature<C extends Candidate>(cs: readonly C[]): C[][] {
  const bySig = new Map<string, C[]>();
  for (const c of cs) {
    const sig = signature(c.fix);
    const g = bySig.get(sig);
    if (g) g.push(c);
    else bySig.set(sig, [c]);
  }
  return [...bySig.values()];
}

function applySet(set: readonly Candidate[], texts: Map<string, string>): Map<string, string> {
  const byFile = new Map<string, Fix[]>();
  const seen = new Set<string>();
  for (const c of set) {
    const sig = signature(c.fix);
    if (seen.has(sig)) continue;
    seen.add(sig);
    const list = byFile.get(c.fix.file) ?? [];
    list.push(c.fix);
    byFile.set(c.fix.file, list);
  }
  const out = new Map<string, string>();
  for (const [file, fixes] of byFile) out.set(file, applyEdits(texts.get(file)!, fixes.flatMap((f) => f.edits)));
  return out;
}

/** What a pass must not add to: the parser checks by place and message, every error by rule and service. */
interface GuardCounts {
  exact: Map<string, number>;
  /** the messages of the error findings, by rule and service */
  errors: Map<string, string[]>;
}

const errorKey = (f: Finding) => `${f.ruleId}\u0000${f.service ?? `\u0000${f.file}`}`;

function countGuard(r: LintResult): GuardCounts {
  const exact = new Map<string, number>();
  const errors = new Map<string, string[]>();
  for (const f of r.findings) {
    if (GUARD_RULES.has(f.ruleId)) exact.set(guardKey(f), (exact.get(guardKey(f)) ?? 0) + 1);
    if (f.severity !== 'error') continue;
    const list = errors.get(errorKey(f));
    if (list) list.push(f.message);
    else errors.set(errorKey(f), [f.message]);
  }
  return { exact, errors };
}

/** The problems a pass introduced (one line each) and the services they are on (null: none). */
function newGuardFindings(baseline: GuardCounts, r: LintResult): { problems: string[]; services: Set<string | null> } {
  const now = countGuard(r);
  const problems: string[] = [];
  const said = new Set<string>();
  const services = new Set<string | null>();
  const say = (f: Finding) => {
    const line = `${f.ruleId}: ${f.file}:${f.line}:${f.column}: ${f.message}`;
    if (!said.has(line)) {
      said.add(line);
      problems.push(line);
    }
    services.add(f.service);
  };
  // The keys that grew, then their findings in one pass over all of them: a search of the findings
  // per key was quadratic when every service of a chain gained one.
  const grownExact = new Map<string, Finding | undefined>();
  for (const [k, n] of now.exact) if (n > (baseline.exact.get(k) ?? 0)) grownExact.set(k, undefined);
  const grownErrors = new Map<string, Finding[]>();
  for (const [k, messages] of now.errors) if (messages.length > (baseline.errors.get(k) ?? []).length) grownErrors.set(k, []);
  if (grownExact.size > 0 || grownErrors.size > 0) {
    for (const f of r.findings) {
      if (grownExact.size > 0 && GUARD_RULES.has(f.ruleId)) {
        const k = guardKey(f);
        if (grownExact.has(k) && grownExact.get(k) === undefined) grownExact.set(k, f);
      }
      if (f.severity === 'error') grownErrors.get(errorKey(f))?.push(f);
    }
  }
  for (const f of grownExact.values()) say(f!);
  for (const [k, same] of grownErrors) {
    const was = baseline.errors.get(k) ?? [];
    // name the findings whose message is new (else the last ones): a moved finding keeps its message
    const old = [...was];
    const fresh = same.filter((f) => {
      const i = old.indexOf(f.message);
      if (i >= 0) old.splice(i, 1);
      return i < 0;
    });
    for (const f of (fresh.length > 0 ? fresh : same).slice(-(same.length - was.length))) say(f);
  }
  if (!r.stack && problems.length === 0) {
    problems.push('yaml-syntax: the document no longer parses');
    services.add(null);
  }
  return { problems, services };
}

function leftReason(
  f: Finding,
  opts: FixOptions,
  rejected: Map<string, string>,
  notRemoved: Set<string>,
  texts: Map<string, string>,
  blocked: FixBlocked | null,
): { reason: LeftReason; why: string } {
  const r = rejected.size > 0 ? rejected.get(problemKey(f)) : undefined;
  if (r) return { reason: 'rejected', why: `fix rejected: ${r}` };
  if (notRemoved.size > 0 && notRemoved.has(findingKey(f))) return { reason: 'not-removed', why: `its fix was applied but the problem is still reported; fix it by hand: ${f.message}` };
  if (!f.fixable) return { reason: 'no-fix', why: `no automatic fix: ${f.message}` };
  const fix = f.fix;
  if (!fix || fix.edits.length === 0) return { reason: 'not-possible', why: fix?.description ? `no fix here: ${fix.description}` : 'no fix here' };
  if (blocked) return { reason: 'not-possible', why: `not fixed while ${blocked.kind === 'line-ends' ? 'its lines end in a lone CR' : 'the file does not parse'}: ${fix.description}` };
  if (opts.only && opts.only.length > 0 && !opts.only.includes(f.ruleId)) return { reason: 'not-selected', why: 'not selected with --rule' };
  if (fix.unsafe && !opts.unsafe) return { reason: 'unsafe', why: `unsafe, needs --unsafe: ${fix.description}` };
  if (!texts.has(fix.file)) return { reason: 'other-file', why: `the fix would edit ${displayPath(fix.file)} (through extends or include), which is not one of the files being fixed: ${fix.description}` };
  return { reason: 'conflict', why: `its edits still overlapped another fix after ${opts.maxPasses ?? MAX_PASSES} passes; run fix again: ${fix.description}` };
}

export function resolveProjectFiles(files: readonly string[]): string[] {
  return files.map((f) => resolve(f));
}
