import { yamlFiles } from './helpers/files.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fixProject, type FixResult } from '../src/fix/fix-project.js';
import { ruleFixtures, writeFixtureFiles } from './helpers/fix-cases.js';
import { askInGroups, declaredVersion, REJECTING_RULES } from './oracle-match.js';

/**
 * The fixer's invariants (DESIGN.md, "Fixes are text edits"), over every fixture we have: the
 * rules' inline cases, the seed examples, every corpus file of MANIFEST.tsv, the fix goldens and
 * the other fixture files; each with safe fixes and with --unsafe. For every output:
 *   1. it parses (when the input did);
 *   2. every comment line of the input is in it, byte for byte (as many times as in the input);
 *   3. fixing it again changes nothing;
 *   4. the findings whose fix was applied are gone, and no pass was dropped;
 *   5. where `docker stack config -c IN` succeeds, `docker stack config -c OUT` succeeds too
 *      (run in the file's folder with an empty environment, as MANIFEST.tsv was made).
 * Comparisons are byte-exact: whitespace is never normalised.
 *
 * Invariants 1-4 are checked on every subject. Each docker run is a Go process (about 80 ms of
 * CPU), and asking about every fixed file takes about 1,200 of them; so docker is asked about every
 * seed example, fix golden and other fixture file, and about a sample of the rest that covers every
 * fix: of the rules' inline cases, for each rule's tests, the first fixed file whose input docker
 * accepts for each fix (rule and mode) applied; of the corpus, the first four for each fix.
 * `FIX_INVARIANTS=all` (`node bench/fix-checks.mjs`) asks docker about every fixed file. An
 * output equal to the other mode's (safe and --unsafe often are) is asked about once, and docker
 * is asked about several files a run where they share a working folder and environment (a run it
 * accepts means it accepts each file alone: acceptedEach in oracle-match.ts).
 */
const repo = resolve(import.meta.dirname, '..');

interface Subject {
  id: string;
  /** the -f files of the project (absolute) */
  files: string[];
  env?: Record<string, string>;
  envFiles?: string[];
  /** the rule whose tests a rule fixture comes from (docker's sample covers each fix per family) */
  family?: string;
  /** a rule fixture of one file (its name), alone in its folder */
  alone?: string;
}

const DOCKER = findDocker();

function findDocker(): string | null {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, 'docker');
    if (d && existsSync(p)) return p;
  }
  return null;
}

let scratchFiles = 0;

/**
 * `docker stack config -c - [-c F2 ...]` in `cwd`, with an empty environment: the first text on
 * stdin (docker's working folder is then `cwd`), the others from files in a scratch folder.
 * Whether docker accepted the run.
 */
function stackConfig(texts: string[], cwd: string, env: Record<string, string> = {}): Promise<boolean> {
  const rest = texts.slice(1).map((t) => {
    const f = join(temp, `docker-${scratchFiles++}.yml`);
    writeFileSync(f, t);
    return f;
  });
  return new Promise((done) => {
    const child = spawn(DOCKER!, ['stack', 'config', '-c', '-', ...rest.flatMap((f) => ['-c', f])], { cwd, env, stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', () => done(false));
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const f of rest) rmSync(f, { force: true });
      done(code === 0);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(texts[0]);
  });
}

/** A question for docker: does it accept `text` alone, run in `cwd` with `env`? */
interface Question {
  text: string;
  cwd: string;
  env: Record<string, string>;
  /** a rule fixture's folder holds only this file, named `name`, and no other case's files */
  alone?: string;
  /** lint finds an error that docker rejects a file for: asked in a run of its own */
  single?: boolean;
}

/**
 * docker's answer to each question, several to a run (askInGroups): questions that share a
 * working folder and environment and declare the same version go to docker together, up to 12 a
 * run. A rule fixture's file whose folder holds nothing else, and that names no file and no
 * variable, may also join a run in another such folder (the fixtures' folders are siblings, each
 * holding one file: any path it could name resolves alike in both).
 */
function dockerAccepts(questions: Question[]): Promise<boolean[]> {
  return askInGroups(
    questions.length,
    (i) => {
      const q = questions[i]!;
      const anywhere = q.alone !== undefined && !q.text.includes(q.alone) && !q.text.includes('$');
      return [q.single ? `single ${i}` : anywhere ? `any ${q.alone}` : q.cwd, JSON.stringify(q.env), declaredVersion(q.text)].join('\u0000');
    },
    (group) => stackConfig(group.map((i) => questions[i]!.text), questions[group[0]!]!.cwd, questions[group[0]!]!.env),
  );
}

/** Lines as written (a CRLF line keeps its `\r`), so that comparisons stay byte-exact. */
function commentLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split('\n').filter((l) => /^[ \t]*#/.test(l));
}

function parses(text: string): boolean {
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ''));
  return Array.isArray(docs) && docs.every((d) => d.errors.length === 0);
}

interface DockerPair {
  id: string;
  family?: string;
  cwd: string;
  /** the environment the fix saw (empty for real files, as MANIFEST.tsv was made) */
  env: Record<string, string>;
  alone?: string;
  input: string;
  /** lint found an error in the input that docker rejects a file for */
  inputRejected: boolean;
  /** each output with the rules whose fixes made it */
  outputs: Array<{ mode: string; text: string; rules: string[] }>;
}

/** Every fixed file goes to docker with `FIX_INVARIANTS=all`; else a sample (dockerCheck). */
const ALL = process.env.FIX_INVARIANTS === 'all';

/** The fixes (rule and mode, within the file's family) that made a fixed file's outputs. */
const fixesOf = (p: DockerPair) => [...new Set(p.outputs.flatMap((o) => o.rules.map((r) => `${p.family ?? ''} ${r} ${o.mode}`)))];

/**
 * Ask docker about fixed files: every one (`perFix` 'all'), or, in the group's order, each one
 * that applies a fix (rule and mode, within its family) fewer than `perFix` files with an input
 * docker accepts have been checked for. A round plans up to 16 files as if docker accepted every
 * input; a file passed over for a fix planned on a file whose input docker then rejects is taken
 * up in a later round. `check` asks about a round's files and says which inputs docker accepted.
 * The choice depends only on docker's answers, never on timing.
 */
async function dockerCheck(pairs: DockerPair[], perFix: number | 'all', check: (round: DockerPair[]) => Promise<boolean[]>): Promise<void> {
  if (perFix === 'all') {
    await check(pairs);
    return;
  }
  const count = new Map<string, number>();
  let waiting = [...pairs];
  for (;;) {
    const planned = new Map(count);
    const round: DockerPair[] = [];
    for (const p of waiting) {
      if (round.length === 16) break;
      const fixes = fixesOf(p);
      if (!fixes.some((f) => (planned.get(f) ?? 0) < perFix)) continue;
      for (const f of fixes) planned.set(f, (planned.get(f) ?? 0) + 1);
      round.push(p);
    }
    if (round.length === 0) return;
    waiting = waiting.filter((p) => !round.includes(p));
    const accepted = await check(round);
    round.forEach((p, i) => {
      if (accepted[i]) for (const f of fixesOf(p)) count.set(f, (count.get(f) ?? 0) + 1);
    });
  }
}

/** Check one subject in one mode; returns what is wrong (empty when all is well). */
function checkSubject(s: Subject, unsafe: boolean, pairs: DockerPair[]): string[] {
  const mode = unsafe ? '--unsafe' : 'safe';
  const problems: string[] = [];
  const say = (m: string) => problems.push(`${s.id} (${mode}): ${m}`);
  let r: FixResult;
  try {
    r = fixProject({ files: s.files, environment: s.env ?? {}, envFiles: s.envFiles, unsafe });
  } catch (e) {
    say(`fix threw ${(e as Error).stack ?? e}`);
    return problems;
  }
  for (const f of r.files) {
    if (parses(f.original) && !parses(f.output)) say(`${f.source.displayPath}: the output does not parse`);
    if (!parses(f.original) && f.output !== f.original) say(`${f.source.displayPath}: an input that does not parse was changed`);
    const have = commentLines(f.output);
    for (const line of commentLines(f.original)) {
      const i = have.indexOf(line);
      if (i < 0) say(`${f.source.displayPath}: comment line lost: ${JSON.stringify(line)}`);
      else have.splice(i, 1);
    }
    if (f.source.bom !== f.output.startsWith('\uFEFF')) say(`${f.source.displayPath}: BOM not kept`);
    if (f.source.eol === '\r\n' && /(^|[^\r])\n/.test(f.output.replace(/^\uFEFF/, ''))) say(`${f.source.displayPath}: a bare LF in a CRLF file`);
  }
  // fixing the output again changes nothing
  const outputs = new Map(r.files.map((f) => [f.source.path, f.output]));
  const again = fixProject({ files: s.files, environment: s.env ?? {}, envFiles: s.envFiles, unsafe, readText: (abs) => outputs.get(abs) });
  for (const f of again.files) {
    if (f.output !== outputs.get(f.source.path)) say(`${f.source.displayPath}: fixing the output again changes it (${again.applied.map((a) => `${a.ruleId} ${a.service}: ${a.description}`).join('; ')})`);
  }
  // the fixed findings are gone
  const after = new Set(r.after.map((f) => `${f.ruleId}|${f.path}|${f.message}`));
  for (const a of r.applied) if (after.has(`${a.ruleId}|${a.path}|${a.message}`)) say(`fixed finding still reported: ${a.ruleId} at ${a.path}: ${a.message}`);
  for (const d of r.dropped) say(`pass ${d.pass} dropped: ${d.problems.join('; ')}`);
  if (r.files.length === 1 && r.files[0]!.changed) {
    const f = r.files[0]!;
    let p = pairs.find((x) => x.id === s.id);
    if (!p) {
      const inputRejected = r.before.some((x) => x.severity === 'error' && REJECTING_RULES.includes(x.ruleId));
      pairs.push((p = { id: s.id, family: s.family, cwd: dirname(f.source.path), env: s.env ?? {}, alone: s.alone, input: f.original, inputRejected, outputs: [] }));
    }
    p.outputs.push({ mode, text: f.output, rules: [...new Set(r.applied.map((a) => a.ruleId))].sort() });
  }
  return problems;
}

/**
 * Fix every subject both ways and check invariants 1-4; ask docker (5) about the fixed files:
 * every one with `FIX_INVARIANTS=all`, else the sample of dockerCheck (`perFix`).
 */
async function checkGroup(subjects: Subject[], perFix: number | 'all'): Promise<{ problems: string[]; fixed: number; dockerChecked: number; fixesChecked: Set<string> }> {
  const problems: string[] = [];
  const pairs: DockerPair[] = [];
  for (const s of subjects) {
    for (const unsafe of [false, true]) problems.push(...checkSubject(s, unsafe, pairs));
    // let the test runner's messages through between subjects (a long synchronous run starves them)
    await new Promise((done) => setImmediate(done));
  }
  let dockerChecked = 0;
  /** the fixes (rule and mode) of the outputs docker was asked about */
  const fixesChecked = new Set<string>();
  if (DOCKER) {
    await dockerCheck(pairs, ALL ? 'all' : perFix, async (round) => {
      const question = (p: DockerPair, text: string, single = false): Question => ({ text, cwd: p.cwd, env: p.env, alone: p.alone, single });
      const inputs = await dockerAccepts(round.map((p) => question(p, p.input, p.inputRejected)));
      // the outputs of the inputs docker accepts; an output equal to the other mode's is asked about once
      const accepted = round.filter((_, i) => inputs[i]);
      const asked = accepted.flatMap((p) => [...new Set(p.outputs.map((o) => o.text))].map((text) => ({ p, text })));
      const answers = await dockerAccepts(asked.map(({ p, text }) => question(p, text)));
      for (const p of accepted) {
        for (const o of p.outputs) {
          dockerChecked++;
          for (const r of o.rules) fixesChecked.add(`${r} ${o.mode}`);
          if (!answers[asked.findIndex((a) => a.p === p && a.text === o.text)]) problems.push(`${p.id} (${o.mode}): docker stack config accepts the input but not the output`);
        }
      }
      return inputs;
    });
  }
  return { problems, fixed: pairs.length, dockerChecked, fixesChecked };
}

function report(problems: string[]): string {
  return problems.length ? `${problems.length} problems:\n${problems.slice(0, 40).join('\n')}` : '';
}

const temp = mkdtempSync(join(tmpdir(), 'stackopt-fix-invariants-'));
/** Each test fixes hundreds of projects twice and runs docker on them: on a busy machine that takes minutes. */
const WHOLE_SET = 600_000;
afterAll(() => rmSync(temp, { recursive: true, force: true }));

// each group fixes every file twice, safe and --unsafe, and asks docker about the outputs: minutes on a busy machine
describe('fix invariants', { timeout: 900_000 }, () => {
  it('the docker CLI is on PATH (the stack config check needs it)', () => {
    expect(DOCKER, 'docker not found on PATH').not.toBeNull();
  });

  it('every rule fixture (the rules\' inline test cases)', async () => {
    const fixtures = ruleFixtures(join(repo, 'rules'));
    expect(fixtures.length).toBeGreaterThan(100);
    const subjects = fixtures.map((fx, i): Subject => {
      const dir = join(temp, `case-${i}`);
      writeFixtureFiles(dir, fx.files);
      const lint = fx.lint ?? [Object.keys(fx.files)[0]!];
      const names = Object.keys(fx.files);
      const alone = names.length === 1 && !fx.envFiles?.length ? names[0] : undefined;
      return { id: fx.id, family: fx.ruleId, alone, files: lint.map((f) => join(dir, f)), env: fx.env ?? {}, envFiles: fx.envFiles?.map((f) => join(dir, f)) };
    });
    // docker: one fixed file per fix (rule and mode) per rule's tests
    const r = await checkGroup(subjects, 1);
    expect(report(r.problems)).toBe('');
    expect(r.fixed).toBeGreaterThan(50);
    expect(r.fixesChecked.size).toBeGreaterThan(10);
    expect(r.dockerChecked).toBeGreaterThan(ALL ? 300 : 40);
  }, WHOLE_SET);

  it('every seed example', async () => {
    const files = yamlFiles(join(repo, 'fixtures', 'seed-examples'));
    expect(files.length).toBeGreaterThan(5);
    const r = await checkGroup(files.map((f) => ({ id: f.slice(repo.length + 1), files: [f] })), 'all');
    expect(report(r.problems)).toBe('');
    expect(r.dockerChecked).toBeGreaterThan(0);
  }, WHOLE_SET);

  it('every corpus file listed in MANIFEST.tsv', async () => {
    const root = join(repo, 'fixtures', 'corpus');
    const rows = readFileSync(join(root, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
    const files = rows.map((l) => join(root, l.split('\t')[0]!));
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) expect(existsSync(f), f).toBe(true);
    // docker: four fixed files per fix (rule and mode)
    const r = await checkGroup(files.map((f) => ({ id: f.slice(repo.length + 1), files: [f] })), 4);
    expect(report(r.problems)).toBe('');
    expect(r.fixed).toBeGreaterThan(50);
    expect(r.dockerChecked).toBeGreaterThan(ALL ? 50 : 20);
    expect(r.fixesChecked.size).toBeGreaterThan(8);
  }, WHOLE_SET);

  it('the fix goldens and every other fixture file', async () => {
    const files = [
      ...yamlFiles(join(repo, 'fixtures', 'fix')),
      ...['format', 'audit'].filter((d) => existsSync(join(repo, 'fixtures', d))).flatMap((d) => yamlFiles(join(repo, 'fixtures', d))),
    ];
    const r = await checkGroup(files.map((f) => ({ id: f.slice(repo.length + 1), files: [f] })), 'all');
    expect(report(r.problems)).toBe('');
  }, WHOLE_SET);
});
