#!/usr/bin/env node
// A longer fuzzing campaign than CI runs: test/fuzz.test.ts with more cases and, to replay a
// failure, a fixed seed (fast-check prints the seed and the shrunk input of a failure).
// Usage: npm run fuzz -- [--runs N] [--seed S]    (default: 1000 runs, a random seed)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const env = { ...process.env, FUZZ_RUNS: arg('--runs') ?? '1000' };
if (arg('--seed') !== undefined) env.FUZZ_SEED = arg('--seed');
const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/fuzz.test.ts', '--testTimeout', '0'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
