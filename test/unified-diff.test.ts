import { applyPatch, createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../src/cli/unified-diff.js';
// @ts-expect-error: a plain JavaScript benchmark script
import { dirtyStack } from '../bench/generate.mjs';
import { cpuRatio } from './helpers/measure.js';
import { fixProject } from '../src/fix/fix-project.js';
import { inTempDir } from './parse/helpers.js';

/** `fix --diff`'s unified diff (src/cli/unified-diff.ts). */
describe('unifiedDiff', () => {
  let seed = 5;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const text = (lines: number) => Array.from({ length: lines }, () => ['a', 'b', 'c', '  d: 1', 'e\r', ''][rnd(6)]).join('\n') + (rnd(3) === 0 ? '' : '\n');
  const edit = (t: string) => {
    const lines = t.split('\n');
    for (let k = rnd(4); k >= 0; k--) {
      const at = rnd(lines.length + 1);
      if (rnd(2) === 0) lines.splice(at, rnd(3), ...Array.from({ length: rnd(4) }, () => ['x', 'b', '  y: 2'][rnd(3)]));
      else lines.splice(at, 1);
    }
    return lines.join('\n');
  };

  it('is the package\'s own patch for texts up to its size, on 3,000 random pairs (hunks, context, line ends)', () => {
    for (let n = 0; n < 3000; n++) {
      const a = text(rnd(40));
      const b = rnd(5) === 0 ? text(rnd(40)) : edit(a);
      expect([a, b, unifiedDiff('f.yml', a, b)]).toEqual([a, b, createTwoFilesPatch('a/f.yml', 'b/f.yml', a, b, undefined, undefined, { headerOptions: FILE_HEADERS_ONLY })]);
    }
  });

  it('on large texts, a patch that turns the one into the other', () => {
    for (let n = 0; n < 20; n++) {
      const a = Array.from({ length: 3000 }, (_, i) => (rnd(3) === 0 ? `  key${i}: ${rnd(9)}` : ['a', 'b', ''][rnd(3)])).join('\n') + '\n';
      let b = a;
      for (let k = 0; k < 30; k++) b = edit(b);
      const patch = unifiedDiff('f.yml', a, b);
      expect(applyPatch(a, patch)).toBe(b);
    }
  });

  it('fix --diff of the bench\'s 2,000-service file that needs fixes: a patch that gives the fixed text', () => {
    inTempDir({ 'stack.yml': dirtyStack() as string }, () => {
      const r = fixProject({ files: ['stack.yml'], environment: {} });
      const f = r.files[0]!;
      expect(f.changed).toBe(true);
      expect(applyPatch(f.original, unifiedDiff('stack.yml', f.original, f.output))).toBe(f.output);
    });
  }, 300_000);

  it('takes time in proportion to a text of repeated lines (no line found once to anchor on) changed all through', () => {
    const pair = (n: number) => ({ a: 'x\n'.repeat(n), b: 'x\ny\n'.repeat(n / 2) });
    const [small, large] = [pair(2000), pair(32000)];
    const run = (p: { a: string; b: string }) => unifiedDiff('f.yml', p.a, p.b);
    expect(applyPatch(small.a, run(small))).toBe(small.b);
    // the gap is shown as removed and added whole once its diff would pass MAX_GAP_EDITS edits
    expect(cpuRatio(run, small, large)).toBeLessThan(100);
  }, 300_000);

  it('takes time in proportion to the text where a fix touches every service (the package\'s diff of the whole took 51 s on that file)', () => {
    const pair = (n: number) => {
      const a = Array.from({ length: n }, (_, i) => `  svc-${i}:\n    image: app:1\n`).join('');
      const b = Array.from({ length: n }, (_, i) => `  svc-${i}:\n    image: app:1\n    read_only: true\n`).join('');
      return { a, b };
    };
    const [small, large] = [pair(1000), pair(16000)];
    const run = (p: { a: string; b: string }) => unifiedDiff('f.yml', p.a, p.b);
    expect(applyPatch(small.a, run(small))).toBe(small.b);
    // at 16 times the services, linear work is about 16 times, the whole text's diff 256: the bound
    // leaves room for a busy machine
    expect(cpuRatio(run, small, large)).toBeLessThan(100);
  }, 300_000);
});
