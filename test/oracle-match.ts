/**
 * `docker stack config` as an oracle: run the real docker CLI (client only, no engine) on a file and
 * check that every error it prints is matched by a finding of ours at the place it names.
 *
 * How docker behaves (docker CLI 28, cli/compose): it stops at the first problem, and of the schema
 * errors it prints only the "most specific" one (the deepest path), picked in the random order of Go
 * maps. So one run names one problem; running it several times names the set of problems it can
 * name, which is what we compare with (not the errors hidden behind them: those need the named
 * ones fixed first).
 */
import { execFile, execFileSync } from 'node:child_process';
import { basename, dirname } from 'node:path';
import type { LintResult } from '../src/engine/lint.js';
import type { Finding } from '../src/engine/types.js';
import { positionOf, type Loc, formatPath } from '../src/parse/location.js';
import type { LVal } from '../src/parse/located.js';

export function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** What runStackConfig says when docker itself failed (killed, timed out, printed nothing). */
export const DOCKER_FAILED = 'docker stack config did not run to the end';

/** One `docker stack config -c A [-c B ...]` run over files of one folder, in that folder. */
function runOnce(file: string | string[]): Promise<{ ok: boolean; error: string; failed: boolean }> {
  const files = typeof file === 'string' ? [file] : file;
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['stack', 'config', ...files.flatMap((f) => ['-c', basename(f)])],
      { cwd: dirname(files[0]!), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        const error = String(stderr)
          .split('\n')
          .filter((l) => l.trim() !== '' && !/level=warning/.test(l))
          .join('\n')
          .trim();
        const failed = err !== null && (err.killed || err.signal !== null || error === '');
        resolve({ ok: !err, error, failed });
      },
    );
  });
}

/**
 * One run of `docker stack config -c FILE [-c FILE ...]` in the (first) file's folder with an
 * empty environment. A run
 * that docker itself did not finish (a machine under load) is tried again, twice.
 */
export async function runStackConfig(file: string | string[]): Promise<{ ok: boolean; error: string }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await runOnce(file);
    if (!r.failed) return { ok: r.ok, error: r.error };
  }
  return { ok: false, error: DOCKER_FAILED };
}

/**
 * Whether docker accepts each item alone, asked about several at a time: `together(group)` is one
 * docker run over the group's files (in one working folder, with one environment), true when
 * docker accepted it. docker loads the files of a `docker stack config -c A -c B ...` run one by
 * one, each checked on its own (forbidden keys, interpolation, the schema of its version, values,
 * side files) before it merges them, so a run it accepts means it accepts each file alone in that
 * folder (a merge can fail where each file passes alone, never the other way round). A rejected
 * group is split in halves down to single items, whose answer is docker's own for that file alone.
 */
export async function acceptedEach<T>(items: readonly T[], together: (group: T[]) => Promise<boolean>): Promise<boolean[]> {
  if (items.length === 0) return [];
  if (await together([...items])) return items.map(() => true);
  if (items.length === 1) return [false];
  const half = Math.ceil(items.length / 2);
  // one half after the other: a caller runs several groups at once, and halves run together would
  // multiply the docker processes of a rejected group
  const a = await acceptedEach(items.slice(0, half), together);
  const b = await acceptedEach(items.slice(half), together);
  return [...a, ...b];
}

/** The `version` a stack file declares, as written (files of one docker run must declare the same). */
export function declaredVersion(text: string): string {
  return /^version[ \t]*:[ \t]*["']?([^"'\s#]*)/m.exec(text)?.[1] ?? '';
}

/**
 * Whether `docker stack config` accepts each file alone (in its folder, with an empty
 * environment), in few runs: the files of one folder that declare the same version go to docker
 * together, up to `size` a run (askInGroups).
 */
export function filesAccepted(files: readonly string[], text: (file: string) => string, size = 12): Promise<boolean[]> {
  return askInGroups(
    files.length,
    (i) => `${dirname(files[i]!)}\u0000${declaredVersion(text(files[i]!))}`,
    async (group) => (await runStackConfig(group.map((i) => files[i]!))).ok,
    size,
  );
}

/**
 * docker's answer about each of `count` items (by index), several to a run: the items of one key
 * (`keyOf`: what a run must share, such as the folder, the environment and the version) go to
 * docker together, up to `size` a run, through acceptedEach; four runs at a time.
 */
export async function askInGroups(count: number, keyOf: (i: number) => string, together: (group: number[]) => Promise<boolean>, size = 12): Promise<boolean[]> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const key = keyOf(i);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  const chunks = [...groups.values()].flatMap((ix) => Array.from({ length: Math.ceil(ix.length / size) }, (_, k) => ix.slice(k * size, (k + 1) * size)));
  const answers: boolean[] = new Array(count);
  await pool(chunks, 4, async (ix) => {
    const got = await acceptedEach(ix, together);
    ix.forEach((i, k) => (answers[i] = got[k]!));
  });
  return answers;
}

/** The rules whose error findings mean that docker rejects the file. */
export const REJECTING_RULES = ['swarm-compat', 'schema', 'interpolation', 'yaml-syntax'];

/**
 * Errors of the checks docker makes before any that walks a Go map (interpolation, the schema,
 * the services), each of which can print only one message for a file: the YAML parser's first
 * error, a top level that is no mapping, "Configuration contains forbidden properties" (a fixed
 * text, whichever properties), and an unsupported `version` (docker CLI 28, cli/compose/loader:
 * ParseYAML, then per file validateForbidden, interpolation, then schema.Validate, which looks the
 * version's schema up before it validates). Whether each check fails does not depend on the order
 * of a map, only which of its errors is printed: a run that fails at one of these fails there on
 * every run, with this message.
 */
const SETTLED_AT_ONCE = [/^yaml: /, /^top-level object must be a mapping$/, /^Configuration contains forbidden properties$/, /^unsupported Compose file version: /];

/**
 * The distinct errors docker prints for a file over several runs: a file it accepts is run once; a
 * rejected one until `settle` runs in a row bring no new message (at most `max` runs), but once
 * when its error is one of the checks that can print only that message (SETTLED_AT_ONCE).
 */
export async function stackConfigErrors(file: string, settle = 5, max = 30): Promise<{ ok: boolean; errors: string[] }> {
  const first = await runStackConfig(file);
  if (first.ok) return { ok: true, errors: [] };
  if (SETTLED_AT_ONCE.some((re) => re.test(first.error))) return { ok: false, errors: [first.error] };
  const errors = new Set([first.error]);
  let quiet = 0;
  for (let n = 1; n < max && quiet < settle; n++) {
    const r = await runStackConfig(file);
    if (r.ok || errors.has(r.error)) quiet++;
    else {
      errors.add(r.error);
      quiet = 0;
    }
  }
  return { ok: false, errors: [...errors].sort() };
}

/** Run `fn` over items with at most `size` at a time. */
export async function pool<T, R>(itemsIn: readonly T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(itemsIn.length);
  let next = 0;
  const worker = async () => {
    while (next < itemsIn.length) {
      const i = next++;
      out[i] = await fn(itemsIn[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, itemsIn.length) }, worker));
  return out;
}

interface Resolved {
  path: string[];
  node: LVal;
  /** where the key of the last step is written (absent for sequence items and the root) */
  keyLoc?: Loc;
}

/**
 * Follow a path docker prints (`services.web.labels.traefik.enable`, `services.a.ports.0`) in the
 * located tree. Keys may contain dots, so at each mapping the longest run of segments that is a key wins.
 */
export function resolveDockerPath(root: LVal, dotted: string): Resolved | null {
  const segs = dotted === '(root)' || dotted === '' ? [] : dotted.split('.');
  const go = (node: LVal, i: number, path: string[], keyLoc?: Loc): Resolved | null => {
    if (i === segs.length) return { path, node, keyLoc };
    if (node.kind === 'seq') {
      const it = /^\d+$/.test(segs[i]!) ? node.items[Number(segs[i])] : undefined;
      return it ? go(it.value, i + 1, [...path, segs[i]!]) : null;
    }
    if (node.kind !== 'map') return null;
    for (let j = segs.length; j > i; j--) {
      const key = segs.slice(i, j).join('.');
      const e = node.index.get(key);
      if (!e) continue;
      const r = go(e.value, j, [...path, key], e.keyLoc);
      if (r) return r;
    }
    return null;
  };
  return go(root, 0, []);
}

function lineOf(loc: Loc | undefined): number | null {
  return loc ? (positionOf(loc)?.line ?? null) : null;
}

/** Lines that count as "at" a node: its key's line and every line its value spans. */
function linesOf(r: Resolved): Set<number> {
  const out = new Set<number>();
  const k = lineOf(r.keyLoc);
  if (k !== null) out.add(k);
  const p = positionOf(r.node.loc);
  if (p) for (let l = p.line; l <= p.endLine; l++) out.add(l);
  return out;
}

export type ErrorClass =
  | 'schema'
  | 'forbidden-property'
  | 'version'
  | 'interpolation'
  | 'cast'
  | 'volume-spec'
  | 'not-a-mapping'
  | 'missing-sidecar-file'
  | 'docker-failed'
  | 'unclassified';

export interface Match {
  error: string;
  class: ErrorClass;
  /** the property docker names, when it names one */
  property: string | null;
  /** the line(s) docker's property is on, when it names one */
  expectedLines: number[];
  matched: boolean;
  /** the finding that matches */
  finding?: Finding;
  /** why there is no match */
  reason?: string;
}

const SCHEMA_RULES = new Set(['swarm-compat', 'schema']);

/** Match one docker error with the findings of a lint run (target swarm) of the same file. */
export function matchDockerError(error: string, lint: LintResult): Match {
  const firstLine = error.split('\n')[0]!;
  const findings = lint.findings;
  const root = lint.project.root;
  const base = (cls: ErrorClass, property: string | null): Match => ({ error, class: cls, property, expectedLines: [], matched: false });
  const found = (m: Match, f: Finding | undefined, reason: string): Match => (f ? { ...m, matched: true, finding: f } : { ...m, reason });

  if (firstLine === 'Configuration contains forbidden properties') {
    const m = base('forbidden-property', null);
    return found(m, findings.find((f) => f.ruleId === 'swarm-compat' && /forbidden properties/.test(f.message)), 'no swarm-compat finding about a forbidden property');
  }
  let mm = /^unsupported Compose file version: (.*)$/.exec(firstLine);
  if (mm) {
    const m = base('version', 'version');
    return found(m, findings.find((f) => SCHEMA_RULES.has(f.ruleId) && f.path === 'version'), 'no finding on version');
  }
  if (firstLine === 'top-level object must be a mapping') {
    const m = base('not-a-mapping', null);
    return found(m, findings.find((f) => f.severity === 'error' && (f.ruleId === 'yaml-syntax' || f.ruleId === 'schema')), 'no yaml-syntax or schema error');
  }
  if (error === DOCKER_FAILED) return { ...base('docker-failed', null), reason: 'docker did not finish' };
  if (/^open .*: no such file or directory$/.test(firstLine)) return { ...base('missing-sidecar-file', null), reason: 'a file the stack file names is not there: not a property of the file (rules do no I/O)' };

  mm = /^invalid interpolation format for (.+?): /.exec(firstLine);
  if (mm) {
    // `services.a.environment.[]`: docker names a list item without its index; look in the list
    const m = base('interpolation', mm[1]!);
    const prefix = mm[1]!.split('.[]')[0]!;
    const r = root ? resolveDockerPath(root, prefix) : null;
    if (!r) return { ...m, reason: `cannot find ${prefix} in the file` };
    const lines = linesOf(r);
    const f = findings.find((x) => ((x.ruleId === 'interpolation' && x.severity === 'error') || x.ruleId === 'swarm-compat') && lines.has(x.line));
    return found({ ...m, expectedLines: [...lines] }, f, 'no interpolation or swarm-compat error on those lines');
  }
  mm = /^error while interpolating (\S+): failed to cast to expected type/.exec(firstLine);
  if (mm) {
    const m = base('cast', mm[1]!);
    if (mm[1]!.includes('.[]')) {
      // `services.foo.secrets.[].mode`: any item of the list, at the same key
      const prefix = mm[1]!.split('.[]')[0]!;
      const r = root ? resolveDockerPath(root, prefix) : null;
      if (!r) return { ...m, reason: `cannot find ${prefix} in the file` };
      const tail = mm[1]!.slice(prefix.length).replace(/[.*+?^${}()|\\]/g, '\\$&').replace(/\\\.\[\]/g, '\\[\\d+\\]');
      const re = new RegExp(`^${formatPath(r.path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${tail}$`);
      const lines = linesOf(r);
      const f = findings.find((x) => SCHEMA_RULES.has(x.ruleId) && re.test(x.path) && lines.has(x.line));
      return found({ ...m, expectedLines: [...lines] }, f, `no swarm-compat finding matching ${re}`);
    }
    const r = root ? resolveDockerPath(root, mm[1]!) : null;
    if (!r) return { ...m, reason: `cannot find ${mm[1]} in the file` };
    const lines = linesOf(r);
    const f = findings.find((x) => SCHEMA_RULES.has(x.ruleId) && x.path === formatPath(r.path) && lines.has(x.line));
    return found({ ...m, expectedLines: [...lines] }, f, 'no swarm-compat finding at that value');
  }
  mm = /error decoding '(\w+)\[(\d+)\]': invalid spec: /.exec(error);
  if (mm && mm[1] === 'Volumes') {
    const m = base('volume-spec', `services.*.volumes[${mm[2]}]`);
    const re = new RegExp(`^services\\..+\\.volumes\\[${mm[2]}\\]$`);
    return found(m, findings.find((x) => x.ruleId === 'swarm-compat' && re.test(x.path) && /invalid spec/.test(x.message)), 'no swarm-compat finding on such a volume');
  }
  mm = /^(\(root\)|(?:services|networks|volumes|secrets|configs|version)\S*) (.+)$/.exec(firstLine);
  if (mm) {
    const property = mm[1]!;
    const rest = mm[2]!;
    const add = /^Additional property (.+) is not allowed$/.exec(rest);
    const r = root ? resolveDockerPath(root, property) : null;
    if (!r) return { ...base('schema', property), reason: `cannot find ${property} in the file` };
    if (add) {
      const entry = r.node.kind === 'map' ? r.node.index.get(add[1]!) : undefined;
      const path = formatPath([...r.path, add[1]!]);
      const line = lineOf(entry?.keyLoc);
      const m = { ...base('schema', path), expectedLines: line !== null ? [line] : [] };
      return found(m, findings.find((x) => SCHEMA_RULES.has(x.ruleId) && x.path === path && x.line === line), `no swarm-compat or schema finding for ${path} at line ${line}`);
    }
    const path = formatPath(r.path);
    const lines = linesOf(r);
    const m = { ...base('schema', path), expectedLines: [...lines].sort((a, b) => a - b) };
    return found(m, findings.find((x) => SCHEMA_RULES.has(x.ruleId) && x.path === path && lines.has(x.line)), `no swarm-compat or schema finding for ${path} on lines ${[...lines].join(',')}`);
  }
  return { ...base('unclassified', null), reason: 'an error the oracle does not know how to place' };
}
