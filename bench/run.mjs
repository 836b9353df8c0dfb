#!/usr/bin/env node
// `npm run bench`: lint timings as ratios to `node -e 0` (bench/lint.mjs). With `--targets`, the
// table of speed and memory targets measured side by side with dclint, `docker stack config` and
// `node -e 0` (bench/targets.mjs). Run `npm run build` first. Options: --runs N.
if (process.argv.includes('--targets')) await import('./targets.mjs');
else await import('./lint.mjs');
