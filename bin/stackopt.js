#!/usr/bin/env -S node --
// `node --` ends node's own options: Node 20 would otherwise take our `--env-file` for its own.
'use strict';
// CommonJS (bin/package.json): node starts a CommonJS entry point without its ES module loader,
// which would cost a small lint a twentieth of its start-up.
const { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');
const v8 = process.versions.v8.startsWith('11.') ? require('node:v8') : null;

// V8's defaults suit a long-lived process; a lint runs its code thousands of times and exits.
// TurboFan optimises a function once it has run enough bytecode (the interrupt budget, three times
// over). In a lint of a large file each rule's per-service hook crosses it after a thousand services
// or so, and the process exits before the compiled code pays back what compiling it cost. Six times
// the default budget takes about a third off the CPU time of a 2,000-service lint and of 100 corpus
// files (1.78 -> 1.17 s, 1.90 -> 1.31 s), and leaves small files as they were (set later, once the inputs read show the work is
// large, it cost 100 and 1,000 corpus files 10-15%: the functions made at load keep the budget they
// were made with until they first run it out). Measured on V8 11 (Node 20): other versions keep
// their defaults. Figures: docs/DEVELOPING.md, "Speed".
v8?.setFlagsFromString('--interrupt-budget=405504');

// A closed pipe (`stackopt fix --stdout | head`) ends the output quietly, as other CLIs do; output
// that cannot be written (`> /dev/full`) is exit 2, as `-o` into such a place is.
// The handler is attached when the stream is first used: node makes a stream (and loads what a pipe
// or a terminal needs) only when it is asked for, and a lint with nothing to say on stderr never does.
let cli = null;
for (const name of ['stdout', 'stderr']) {
  const { get } = Object.getOwnPropertyDescriptor(process, name);
  let stream = null;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: true,
    get() {
      if (stream) return stream;
      stream = get.call(process);
      stream.on('error', (e) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        process.stderr.write(`stackopt: cannot write output: ${cli?.describeOutputError(e) ?? e.message}\n`);
        process.exit(2);
      });
      return stream;
    },
  });
}

// The CLI is one CommonJS bundle, compiled with the V8 code cache recorded at build time
// (scripts/build-bundle.mjs): start-up costs a read, not a compile.
const bundle = join(__dirname, '..', 'dist', 'bundle', 'stackopt.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('stackopt: the CLI is not built (no dist/bundle/stackopt.cjs); run `npm run build` in its folder\n');
  process.exit(3);
}
// V8 rejects a code cache made under other V8 flags, and any flag in NODE_OPTIONS (the common
// `--max-old-space-size=4096`) or on node's command line counts. Under such flags the cache is the
// user's own, recorded on the first run under them and kept per flags, node version and build.
const writeCache = process.env.STACKOPT_WRITE_CODE_CACHE;
const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
const userCache = !writeCache && flags !== '' ? userCacheFile(flags) : null;
const cacheFile = userCache ?? `${bundle}.cache`;
const cachedData = !writeCache && (userCache ? readOwnFile(userCache) : existsSync(cacheFile) ? readFileSync(cacheFile) : undefined);
// The bundle is one function expression of the CommonJS arguments, and ASCII (scripts/build-bundle.mjs
// checks it): read as Latin-1, it is the same text without the cost of decoding UTF-8.
const script = new vm.Script(readFileSync(bundle, 'latin1'), {
  filename: bundle,
  cachedData: cachedData || undefined,
});
const bundleModule = { exports: {} };
// This file's own `require` serves the bundle (node's modules, the files beside the bundle by their
// path, the language server's package from the same node_modules): node:module's createRequire
// would load node's ES module loader for nothing.
script.runInThisContext()(bundleModule.exports, require, bundleModule, bundle, dirname(bundle));
cli = bundleModule.exports;
if (v8) cli.observeInputSizes(leanHeapForLargeFiles());
cli.run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (writeCache) writeFileSync(writeCache, script.createCachedData());
    else if (userCache && (!cachedData || script.cachedDataRejected)) saveUserCache(userCache, script.createCachedData());
  },
  (e) => {
    // run() answers every error it meets in one line; this is a failure before it could (setting up the commands)
    process.stderr.write(`stackopt: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 3;
  },
);

/**
 * Between full collections V8 lets the heap grow to up to four times what was live at the last one.
 * Once a file of several MiB is read (a large tree about to be live), it grows by 30% instead: a
 * lower peak for some more CPU (20,000 services: peak 461 -> 393 MiB, CPU +10%, at 50%; with the
 * smaller tree and model since, 30% against 50%: 276-282 MiB against 281-296, CPU 1.12x). Flags set while
 * running do not make V8 reject a code cache (it checks the flags node started with).
 */
function leanHeapForLargeFiles() {
  let done = false;
  return (bytes) => {
    if (done || bytes < 4 * 1024 * 1024) return;
    done = true;
    v8.setFlagsFromString('--heap-growing-percent=30');
  };
}

/** `$XDG_CACHE_HOME/stackopt/bundle-<hash>.cache` (else `~/.cache/...`), the hash of the flags, node and the build. */
function userCacheFile(flagText) {
  const st = statSync(bundle);
  let h = 0x811c9dc5; // FNV-1a over what makes a cache valid
  for (const c of `${process.version}\0${flagText}\0${st.size}\0${st.mtimeMs}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  const base = process.env.XDG_CACHE_HOME || join(require('node:os').homedir(), '.cache');
  return join(base, 'stackopt', `bundle-${h.toString(16).padStart(8, '0')}.cache`);
}

/** The file, when it and its folder belong to this user and nobody else may write them; else undefined. */
function readOwnFile(file) {
  try {
    const uid = process.getuid?.();
    for (const p of [dirname(file), file]) {
      const st = statSync(p);
      if ((uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined;
    }
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Written beside, then renamed: a reader never sees half a cache. Any failure only costs speed. */
function saveUserCache(file, data) {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch {
    /* a read-only home or a full disk: the next run compiles again */
  }
}
