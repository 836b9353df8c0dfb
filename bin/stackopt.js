#!/usr/bin/env node
// --debug: map stack traces of internal errors back to the TypeScript sources
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { run } = await import('../dist/bundle/main.js');
process.exitCode = await run(process.argv.slice(2));
