#!/usr/bin/env node
// Rewrites the rule table of README.md (between the rules-table markers) from the rule catalogue,
// with `stackopt rules --format markdown` of the built CLI. Run by `npm run docs` (which builds
// first). test/docs-readme.test.ts fails when the README is out of date.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- rules-table:start -->';
const END = '<!-- rules-table:end -->';
const table = execFileSync(process.execPath, [join(root, 'bin/stackopt.js'), 'rules', '--format', 'markdown'], { encoding: 'utf8' });
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < a) throw new Error(`README.md: markers ${START} … ${END} not found`);
const next = `${readme.slice(0, a + START.length)}\n${table}${readme.slice(b)}`;
if (next === readme) console.log('update-readme: rule table up to date');
else {
  writeFileSync(readmePath, next);
  console.log(`update-readme: rule table rewritten (${table.trim().split('\n').length - 2} rules)`);
}
