#!/usr/bin/env node
// The fixer's long checks, beyond what the suite runs: test/fix-invariants.test.ts with
// `docker stack config` asked about every fixed file (about 1,200 docker runs, where the suite asks
// about a sample that covers each fix) and test/fix-property.test.ts with N generated documents per
// mode (the suite runs 80). Minutes of CPU: run it after changing a fix or the fixer.
// Usage: node bench/fix-checks.mjs [--runs N] [--seed S]    (default: 250 documents per mode)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const env = { ...process.env, FIX_INVARIANTS: 'all', FIX_PROPERTY_RUNS: arg('--runs') ?? '250' };
if (arg('--seed') !== undefined) env.FIX_PROPERTY_SEED = arg('--seed');
const files = ['test/fix-invariants.test.ts', 'test/fix-property.test.ts'];
const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...files, '--testTimeout', '0'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
