import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { byText } from './run-rules.js';
import type { Finding } from './types.js';

/**
 * Baselines: adopt stackopt on a repository with existing findings by recording them, then report
 * only findings that are not in the record.
 *
 * A finding is identified by its fingerprint: rule id, file, service and YAML path. Line and
 * column are not part of it, so adding or removing lines elsewhere in a file does not turn old
 * findings into new ones. Findings sharing a fingerprint are counted: with three recorded, a fourth
 * is new. The message is stored for readers but not compared (it quotes values, which may change
 * without the problem changing).
 */
export interface BaselineEntry {
  ruleId: string;
  /** relative to the baseline file's folder, with `/` separators */
  file: string;
  service: string | null;
  path: string;
  count: number;
  message: string;
}

export interface Baseline {
  stackopt: 'baseline';
  version: 1;
  findings: BaselineEntry[];
}

export interface BaselineMatch {
  /** findings not covered by the baseline */
  fresh: Finding[];
  /** findings the baseline covered */
  known: number;
  /** baseline entries (counted) no finding matched any more: fixed since it was written */
  stale: number;
}

/** The file as a baseline names it: relative to `baseDir`, with `/`; live objects as they are. */
export function baselinePath(f: Finding, baseDir: string): string {
  if (f.loc && f.loc.kind === 'live') return f.file;
  const rel = relative(baseDir, resolve(f.file)) || f.file;
  return rel.split(sep).join('/');
}

function keyOf(ruleId: string, file: string, service: string | null, path: string): string {
  return JSON.stringify([ruleId, file, service, path]);
}

/** Record findings (one entry per fingerprint, with a count), in code-unit order for diffs stable across locales. */
export function createBaseline(findings: readonly Finding[], baseDir: string): Baseline {
  const byKey = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const file = baselinePath(f, baseDir);
    const k = keyOf(f.ruleId, file, f.service, f.path);
    const e = byKey.get(k);
    if (e) e.count++;
    else byKey.set(k, { ruleId: f.ruleId, file, service: f.service, path: f.path, count: 1, message: f.message });
  }
  const entries = [...byKey.values()].sort(
    (a, b) => byText(a.file, b.file) || byText(a.ruleId, b.ruleId) || byText(a.service ?? '', b.service ?? '') || byText(a.path, b.path),
  );
  return { stackopt: 'baseline', version: 1, findings: entries };
}

/** Parse a baseline file's text; throws an Error with a message a user can act on. */
export function parseBaseline(text: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // the parser's message quotes the text, and a configuration may name any file as its baseline
    throw new Error('not JSON (write a baseline with --write-baseline)');
  }
  const b = data as Partial<Baseline>;
  if (!b || typeof b !== 'object' || b.stackopt !== 'baseline' || b.version !== 1 || !Array.isArray(b.findings)) {
    throw new Error('not a stackopt baseline (write one with --write-baseline)');
  }
  for (const [i, e] of b.findings.entries()) {
    if (!e || typeof e.ruleId !== 'string' || typeof e.file !== 'string' || typeof e.path !== 'string' || !(e.service === null || typeof e.service === 'string') || !Number.isInteger(e.count) || e.count < 1) {
      throw new Error(`findings[${i}] is not a baseline entry (ruleId, file, service, path, count)`);
    }
  }
  return b as Baseline;
}

/** Keep the findings the baseline does not cover, in order; earlier findings of a fingerprint use its count first. */
export function matchBaseline(findings: readonly Finding[], baseline: Baseline, baseDir: string): BaselineMatch {
  const left = new Map<string, number>();
  for (const e of baseline.findings) {
    const k = keyOf(e.ruleId, e.file, e.service, e.path);
    left.set(k, (left.get(k) ?? 0) + e.count);
  }
  const fresh: Finding[] = [];
  let known = 0;
  for (const f of findings) {
    const k = keyOf(f.ruleId, baselinePath(f, baseDir), f.service, f.path);
    const n = left.get(k) ?? 0;
    if (n > 0) {
      left.set(k, n - 1);
      known++;
    } else fresh.push(f);
  }
  let stale = 0;
  for (const n of left.values()) stale += n;
  return { fresh, known, stale };
}

/**
 * Stable identifiers of findings for report formats (GitLab code quality `fingerprint`, SARIF
 * `partialFingerprints`): a hash of the same fields as the baseline plus the finding's rank among
 * those sharing them, so that each is unique in a report and survives lines moving. With `root`,
 * an absolute path inside it counts as the path relative to it, so that a file named by its full
 * path gets the fingerprint it has when named from the root (CI checkouts differ in where they are).
 */
export function fingerprintFindings(findings: readonly Finding[], root?: string): string[] {
  const seen = new Map<string, number>();
  const base = root === undefined ? undefined : resolve(root);
  return findings.map((f) => {
    let file = f.file;
    if (base !== undefined && f.loc?.kind !== 'live' && isAbsolute(file) && resolve(file).startsWith(`${base}${sep}`)) file = relative(base, resolve(file));
    const k = keyOf(f.ruleId, file.split(sep).join('/'), f.service, f.path);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return createHash('sha256').update(`${k}\0${n}`).digest('hex').slice(0, 32);
  });
}
