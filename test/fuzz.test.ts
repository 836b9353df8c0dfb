import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import { blockedText, fixProject } from '../src/fix/fix-project.js';
import { formatNames, loadFormatter } from '../src/format/index.js';
import type { Formatter } from '../src/format/types.js';
import { InputError } from '../src/parse/read-document.js';
import { assertBuilt, repoRoot } from './helpers/cli.js';

/**
 * Fuzzing: the real corpus and the seed examples, mutated (bytes replaced by characters YAML and
 * compose care about, lines duplicated or deleted, deep nesting, long values, anchors and aliases,
 * odd unicode, values written as `${VAR}` whose environment and `.env` values are unique markers),
 * linted in every format and fixed, in process; a few through the built CLI. For every input:
 *   - lint and fix end normally or with an input error (exit 0, 1 or 2), never another exception
 *     (the CLI's "internal error", exit 3);
 *   - no output holds a stack trace;
 *   - the CPU time per byte stays within a generous factor of the run's median (no input costs
 *     time growing faster than its size);
 *   - no output line holds a marker value from the environment or `.env` (see ENV_VALUES_HIDDEN).
 *
 * `npm run fuzz -- --runs N --seed S` runs a longer campaign (FUZZ_RUNS, FUZZ_SEED); CI runs
 * FUZZ_RUNS (default 25) cases with a random seed that a failure prints.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : undefined;
/** Messages quote what the file wrote, never a value the environment or `.env` gave (docs/security.md). */
const ENV_VALUES_HIDDEN = true;

assertBuilt();
const execFileP = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'stackopt-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV_MARKER = 'EnvMarkerQ7zX';
const DOTENV_MARKER = 'DotenvMarkerK4wJ';

function corpusFiles(): string[] {
  const out: string[] = [];
  for (const root of ['fixtures/corpus', 'fixtures/seed-examples']) {
    for (const f of readdirSync(join(repoRoot, root), { recursive: true }) as string[]) if (/\.ya?ml$/.test(f)) out.push(join(repoRoot, root, f));
  }
  return out.sort();
}
const FILES = corpusFiles();
const TEXTS = FILES.map((f) => readFileSync(f, 'utf8'));

const ODD = ['\u2028', '\u2029', '\u0085', '\t', '\r', '\u00a0', '\ufeff', '\u200b', '\u0000', '\ud83d', '\ud83d\ude00', 'é', ':', '-', '[', ']', '{', '}', '&a', '*a', '<<', '$', '${', '#', '"', "'", '|', '>', '!', '%', '@', '`', ',', '?', '\\'];

type Mutation =
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'dupLine'; at: number }
  | { kind: 'dropLine'; at: number }
  | { kind: 'nest'; at: number; depth: number; open: '[' | '{' }
  | { kind: 'long'; at: number; length: number; char: string }
  | { kind: 'alias'; at: number }
  | { kind: 'env'; at: number; name: 'FUZZ_ENV' | 'FUZZ_DOTENV' }
  | { kind: 'envImage'; name: 'FUZZ_ENV' | 'FUZZ_DOTENV' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom(...ODD) }),
  fc.record({ kind: fc.constant('dupLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dropLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 3000 }), open: fc.constantFrom('[' as const, '{' as const) }),
  fc.record({ kind: fc.constant('long' as const), at: fc.nat(), length: fc.integer({ min: 1000, max: 60_000 }), char: fc.constantFrom('a', ' ', '/', ':', '-', '1', '$', '.', '0', '\t') }),
  fc.record({ kind: fc.constant('alias' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('env' as const), at: fc.nat(), name: fc.constantFrom('FUZZ_ENV' as const, 'FUZZ_DOTENV' as const) }),
  fc.record({ kind: fc.constant('envImage' as const), name: fc.constantFrom('FUZZ_ENV' as const, 'FUZZ_DOTENV' as const) }),
);

/** The offset of the end of a line's key (`  key:`), to put a value after it; else the position itself. */
function valueSpot(text: string, at: number): number {
  const colon = text.indexOf(': ', at);
  return colon < 0 ? at : colon + 2;
}

function mutate(text: string, ms: readonly Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = t.length === 0 || !('at' in m) ? 0 : m.at % t.length;
    const lineStart = t.lastIndexOf('\n', at) + 1;
    const lineEnd = t.indexOf('\n', at) < 0 ? t.length : t.indexOf('\n', at) + 1;
    switch (m.kind) {
      case 'replace':
        t = t.slice(0, at) + m.text + t.slice(at + 1);
        break;
      case 'dupLine':
        t = t.slice(0, lineEnd) + t.slice(lineStart, lineEnd) + t.slice(lineEnd);
        break;
      case 'dropLine':
        t = t.slice(0, lineStart) + t.slice(lineEnd);
        break;
      case 'nest': {
        const close = m.open === '[' ? ']' : '}';
        const inner = m.open === '[' ? '1' : 'a: 1';
        const body = m.open === '[' ? m.open.repeat(m.depth) + inner + close.repeat(m.depth) : `${'{a: '.repeat(m.depth)}1${'}'.repeat(m.depth)}`;
        const spot = valueSpot(t, at);
        t = `${t.slice(0, spot)}${body.length ? body : inner}\n${t.slice(spot).replace(/^[^\n]*\n?/, '')}`;
        break;
      }
      case 'long': {
        const spot = valueSpot(t, at);
        t = `${t.slice(0, spot)}"x${m.char.repeat(m.length)}"${t.slice(spot)}`;
        break;
      }
      case 'alias': {
        const spot = valueSpot(t, at);
        t = `x-fuzz: &fuzz {a: 1}\n${t.slice(0, spot)}*fuzz${t.slice(spot)}`;
        break;
      }
      case 'envImage':
        // an image tag from the environment: the value messages quote most often
        t = t.replace(/^(\s+image:\s*)\S.*$/m, `$1"nginx:\${${m.name}}"`);
        break;
      case 'env': {
        const spot = valueSpot(t, at);
        t = `${t.slice(0, spot)}"pre-\${${m.name}}-post"${t.slice(spot)}`;
        break;
      }
    }
  }
  return t;
}

interface Outcome {
  outputs: string[];
  cpuMs: number;
  bytes: number;
}

const formatters = new Map<string, Formatter>();

/** Lint in every format and fix one input in process; throws what the CLI would call an internal error. */
function runCase(name: string, text: string): Outcome {
  const caseDir = join(dir, name);
  mkdirSync(caseDir, { recursive: true });
  const file = join(caseDir, 'compose.yaml');
  writeFileSync(file, text);
  writeFileSync(join(caseDir, '.env'), `FUZZ_DOTENV=${DOTENV_MARKER}\n`);
  const environment = { FUZZ_ENV: ENV_MARKER };
  const outputs: string[] = [];
  const t0 = process.cpuUsage();
  try {
    const r = lintProject({ files: [file], environment, withFixes: true });
    const report = [{ file: r.file, findings: r.findings, sources: r.sources }];
    for (const [fmt, f] of formatters) outputs.push(`[${fmt}]\n${f(report, { color: false, version: '0.0.0', cwd: caseDir })}`);
    const fx = fixProject({ files: [file], environment });
    outputs.push(`[fix]\n${fx.applied.map((a) => `${a.ruleId} ${a.description}`).join('\n')}\n${fx.left.map((l) => l.why).join('\n')}\n${fx.blocked ? blockedText(fx.blocked) : ''}`);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    outputs.push(`[input error]\n${e.message}`);
  }
  const u = process.cpuUsage(t0);
  rmSync(caseDir, { recursive: true, force: true });
  return { outputs, cpuMs: (u.user + u.system) / 1000, bytes: Buffer.byteLength(text) };
}

const STACK_LINE = /^\s+at .+(?:\(|:\d+:\d+)/m;

describe('fuzzing lint and fix with mutated real files', () => {
  const costs: Array<{ perByte: number; cpuMs: number; bytes: number; file: string; text: string }> = [];
  const envLeaks: string[] = [];
  let cases = 0;

  it(`${RUNS} mutated inputs: exit 0, 1 or 2, no stack trace`, async () => {
    for (const name of formatNames()) formatters.set(name, (await loadFormatter(name))!);
    fc.assert(
      fc.property(fc.nat({ max: FILES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (fileIndex, ms) => {
        const text = mutate(TEXTS[fileIndex]!, ms);
        const o = runCase(`case-${cases++}`, text);
        for (const out of o.outputs) {
          expect(out).not.toMatch(STACK_LINE);
          expect(out).not.toMatch(/internal error/i);
          for (const line of out.split('\n')) if (line.includes(ENV_MARKER) || line.includes(DOTENV_MARKER)) envLeaks.push(line.slice(0, 200));
        }
        costs.push({ perByte: o.cpuMs / Math.max(o.bytes, 1), cpuMs: o.cpuMs, bytes: o.bytes, file: FILES[fileIndex]!, text });
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
    expect(cases).toBeGreaterThanOrEqual(RUNS);
  }, 1_800_000);

  // Generous on purpose: CPU time (not wall time) per byte, against the median of the same run,
  // with 50 ms allowed to any input for start-up work. Super-linear work on a long value or a deep
  // nesting shows as hundreds of times the median.
  it('costs CPU time about proportional to the input size', () => {
    expect(costs.length, 'the cost samples of the test before').toBeGreaterThanOrEqual(5);
    const median = [...costs].sort((a, b) => a.perByte - b.perByte)[Math.floor(costs.length / 2)]!.perByte;
    // a garbage collection or a busy machine can land on any one input: an outlier is run again
    // three times and counts only when its cheapest run is still one (super-linear work always is)
    const outliers = costs
      .filter((c) => c.cpuMs > 50 && c.perByte > 40 * median)
      .map((c) => ({ ...c, cpuMs: Math.min(...[0, 1, 2].map((k) => runCase(`again-${k}`, c.text).cpuMs)) }))
      .filter((c) => c.cpuMs > 50 && c.cpuMs / Math.max(c.bytes, 1) > 40 * median);
    expect(outliers.map((c) => `${c.file}: ${c.bytes} bytes, ${c.cpuMs.toFixed(0)} ms`)).toEqual([]);
  });

  it.skipIf(!ENV_VALUES_HIDDEN)('prints no value from the environment or .env (messages quote values as written)', () => {
    expect(envLeaks).toEqual([]);
  });

  it('reports how many inputs ran and what the env property found', () => {
    process.stdout.write(`fuzz: ${cases} inputs; ${envLeaks.length} output lines held an environment or .env marker${ENV_VALUES_HIDDEN ? '' : ' (not asserted yet)'}${envLeaks.length ? `, e.g. ${envLeaks[0]}` : ''}\n`);
    expect(cases).toBeGreaterThan(0);
  });
});

describe('fuzzing the CLI', () => {
  it('a few mutated inputs through the built CLI: exit 0, 1 or 2, one-line errors', async () => {
    const rng = fc.sample(fc.tuple(fc.nat({ max: FILES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 })), { numRuns: 2, ...(SEED !== undefined ? { seed: SEED } : {}) });
    for (const [i, [fileIndex, ms]] of rng.entries()) {
      const caseDir = join(dir, `cli-${i}`);
      mkdirSync(caseDir, { recursive: true });
      writeFileSync(join(caseDir, 'compose.yaml'), mutate(TEXTS[fileIndex]!, ms));
      writeFileSync(join(caseDir, '.env'), `FUZZ_DOTENV=${DOTENV_MARKER}\n`);
      for (const args of [['lint', 'compose.yaml', '--format', 'sarif'], ['lint', 'compose.yaml'], ['fix', 'compose.yaml', '--diff']]) {
        const r = await execFileP(process.execPath, [join(repoRoot, 'bin/stackopt.js'), ...args], { cwd: caseDir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', FUZZ_ENV: ENV_MARKER } }).then(
          (x) => ({ code: 0, stdout: x.stdout, stderr: x.stderr }),
          (e: { code: number; stdout: string; stderr: string }) => e,
        );
        expect([0, 1, 2], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
        expect(r.stderr).not.toMatch(/internal error/);
        expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK_LINE);
      }
    }
  }, 600_000);
});
