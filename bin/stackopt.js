#!/usr/bin/env -S node --
// `node --` ends node's own options: Node 20 would otherwise take our `--env-file` for its own.
// --debug: map stack traces of internal errors back to the TypeScript sources
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
// A closed pipe (`stackopt fix --stdout | head`) ends the output quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`stackopt: cannot write output: ${e.message}\n`);
    process.exit(3);
  });
}
const { run } = await import('../dist/bundle/main.js');
process.exitCode = await run(process.argv.slice(2));
