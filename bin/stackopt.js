#!/usr/bin/env -S node --
// `node --` ends node's own options: Node 20 would otherwise take our `--env-file` for its own.
'use strict';
// CommonJS (bin/package.json): node starts a CommonJS entry point without its ES module loader,
// which would cost a small lint a twentieth of its start-up.
const { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

// There are two CLI bundles: lint.cjs for `stackopt lint` (argv's first word after the program's
// own --debug, as src/cli/program.ts reads it), stackopt.cjs with every command for anything else.
const args = process.argv.slice(2);
const command = (args[0] === '--' ? args.slice(1) : args).find((a) => a !== '--debug');
const lintOnly = command === 'lint';
// a command whose output goes to a file or /dev/null writes it without process.stdout (see
// reportStraightToFile); the language server speaks its protocol on node's own streams
const straightReport = command !== 'lsp' ? reportStraightToFile() : undefined;
// node:v8 requires node's stream modules (heap snapshots are streams): process.stdout needs them
// anyway (loaded later, during the lint, they measured 1.06x the CPU of a small lint into a pipe),
// output written straight to a file does not, and the run sets the flags through the binding.
const v8 = process.versions.v8.startsWith('11.') ? (straightReport ? v8Flags() : require('node:v8')) : null;

// V8's defaults suit a long-lived process; a lint runs its code thousands of times and exits.
// TurboFan optimises a function once it has run enough bytecode (the interrupt budget, three times
// over). In a lint of a large file or of many files each rule's per-service hook crosses it early,
// and the process exits before the compiled code pays back what compiling it cost. Twenty-four
// times the default budget: against six times, 0.90x the CPU on 100 corpus files, 0.95x on 1,000,
// 0.94x on a 2,000-service file, 0.97x on 20,000 services (the same peak memory) and on one small
// file (against the default, six times had taken a third off the first two). Set at start: set
// once the inputs read show the work is large, it cost 100 and 1,000 corpus files 10-15% (the
// functions made at load keep the budget they were made with until they first run it out). V8
// checks a code cache against the flags in force, these included: the build records its caches
// under them, and the user's own caches are named by them. Measured on V8 11 (Node 20): other
// versions keep their defaults. Figures: docs/DEVELOPING.md, "Speed".
const V8_FLAGS = '--interrupt-budget=1622016';
v8?.setFlagsFromString(V8_FLAGS);

// `fix` keeps the lint of the project it started from (findings, fixes, model) through every pass and
// lints the fixed text again after each: more of its heap stays live than in a lint. Incremental
// marking then marks that heap bit by bit (a helper thread beside the main one) while the passes run,
// and the young generation grows in small steps, each scavenge copying what is still live. Without
// the one and with the other grown four times at a step, fix on the 2,000-service file that needs
// fixes took 0.92x the CPU (0.97x the wall, 15 pairs; peak 222 MiB against 214), on its first 100
// services (14 KB) 0.94x. A lint of a large file gains too, less: 2,000 services (848 KB) 0.93x
// (peak 110 MiB against 107), the 279 KB file that needs fixes 0.97x, 211 KB 0.97x, 63 KB 1.00x
// (15 pairs each); a lint of a file of 4 MiB or more does without them (see sizeHeapByInputs).
// Set once an input of GC_AFTER bytes is read: the scripts compiled after that (an older stack
// schema's validator) find their caches rejected, which cost a small fix more than it saved
// (1.02x). Under the user's own caches (flags in NODE_OPTIONS), the run that records the bundle's
// cache sets none of them (a cache made at the end of a run that set them would carry them, and be
// rejected on the next run); the runs after it, which read that cache, set them and keep no cache.
const GC_FLAGS = '--no-incremental-marking --semi-space-growth-factor=4';
const GC_AFTER = command === 'fix' ? 8 * 1024 : command === 'lint' ? 256 * 1024 : null;

// An audit of a large snapshot keeps nearly everything it makes (the parsed snapshot, the services'
// located trees, the model): the scavenges of the young generation copy live objects, not garbage.
// On 2 shared cores, copying on one thread and growing the young generation in larger steps (fewer
// scavenges) cost less CPU than parallel scavenges: on 2,000 services, 0.91-0.94x (docs/audit.md,
// "Performance"). Nor does V8 start marking the old generation bit by bit as it fills (incremental
// marking, with a helper thread marking beside the main one): on 2,000 services that marking began
// during the rules and ended in a full collection while the report was written, work on a heap
// whose objects all stay live until the process exits; without it, no full collection ran at all
// (a heap that reaches its limit still gets one, in one piece): 0.970x the CPU (25 pairs), the same
// peak. Set only once a snapshot of several MiB has been read.
const AUDIT_GC_FLAGS = `--no-parallel-scavenge ${GC_FLAGS}`;
/** Set under the user's own code caches (V8 11): see where. */
const USER_CACHE_FLAGS = '--verify-snapshot-checksum';
/** From this input size on, the heap grows by 30% between full collections (sizeHeapByInputs). */
const LEAN_HEAP_AFTER = 4 * 1024 * 1024;

// A closed pipe (`stackopt fix --stdout | head`) ends the output quietly, as other CLIs do; output
// that cannot be written (`> /dev/full`) is exit 2, as `-o` into such a place is.
function outputFailed(e) {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`stackopt: cannot write output: ${cli?.describeOutputError(e) ?? e.message}\n`);
  process.exit(2);
}
// The handler is attached when the stream is first used: node makes a stream (and loads what a pipe
// or a terminal needs) only when it is asked for, and a lint with nothing to say on stderr never does.
let cli = null;
/** the standard streams made so far (see the end of the run) */
const madeStreams = [];
for (const name of ['stdout', 'stderr']) {
  const { get } = Object.getOwnPropertyDescriptor(process, name);
  let stream = null;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: true,
    get() {
      if (stream) return stream;
      stream = get.call(process);
      madeStreams.push(stream);
      stream.on('error', outputFailed);
      return stream;
    },
  });
}

// The CLI is a CommonJS bundle, compiled with the V8 code cache recorded at build time
// (scripts/build-bundle.mjs): start-up costs a read, not a compile.
// the commands that end once they return (see the end of the run); audit and usage run the docker
// CLI, lsp serves an editor: they, and any command added later, end as node ends them
const exitsWhenDone = ['lint', 'fix', 'rules', 'init', 'resources'].includes(command);
const bundleName = lintOnly ? 'lint.cjs' : 'stackopt.cjs';
const bundle = join(__dirname, '..', 'dist', 'bundle', bundleName);
const bundleStat = statSync(bundle, { throwIfNoEntry: false });
if (bundleStat === undefined) {
  process.stderr.write(`stackopt: the CLI is not built (no dist/bundle/${bundleName}); run \`npm run build\` in its folder\n`);
  process.exit(3);
}
// V8 rejects a code cache made under other V8 flags, and any flag in NODE_OPTIONS (the common
// `--max-old-space-size=4096`) or on node's command line counts. Under such flags the cache is the
// user's own, recorded on the first run under them and kept per flags, node version and build.
const writeCache = process.env.STACKOPT_WRITE_CODE_CACHE;
const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
const userCache = !writeCache && flags !== '' ? userCacheFile(lintOnly ? 'lint' : 'bundle', bundleStat) : null;
// A user's cache is a file anything running as the user can change, and a release build of V8 checks
// only a cache's header: one damaged beyond it stopped node at every run (a fatal error, a native
// stack, exit 133), before a new one could be made. With the checksum checked, V8 rejects it, the
// script compiles as usual and the cache is made again.
if (userCache && v8) v8.setFlagsFromString(USER_CACHE_FLAGS);
const cacheFile = userCache ?? `${bundle}.cache`;
// Both files are read into one buffer, the bundle first (copied out as its Latin-1 string), then the
// cache over it: a second megabyte-sized buffer cost a small lint about a tenth of the page faults
// it adds to node's own start. A user's cache is sized only once it is known to be theirs.
const ownCache = userCache ? openOwnFile(userCache) : undefined;
const cacheSize = writeCache ? 0 : userCache ? (ownCache?.size ?? 0) : sizeOf(cacheFile);
const buffer = Buffer.allocUnsafeSlow(Math.max(bundleStat.size, cacheSize));
// The bundle is one function expression of the CommonJS arguments, and ASCII (scripts/build-bundle.mjs
// checks it): read as Latin-1, it is the same text without the cost of decoding UTF-8.
let source;
try {
  source = buffer.toString('latin1', 0, readInto(buffer, bundle));
} catch (e) {
  const why = { EACCES: 'permission denied', EISDIR: 'it is a folder', EIO: 'an input/output error' }[e.code] ?? e.code ?? e.message;
  process.stderr.write(`stackopt: cannot read dist/bundle/${bundleName}: ${why}; run \`npm run build\` in its folder\n`);
  process.exit(3);
}
// a cache that cannot be read only costs speed: the bundle compiles as usual
const cachedData = writeCache ? undefined : ownCache ? readOpened(ownCache, buffer) : userCache || cacheSize === 0 ? undefined : readOrNothing(buffer, cacheFile);
let script;
const bundleModule = { exports: {} };
try {
  script = new vm.Script(source, { filename: bundle, cachedData });
  // This file's own `require` serves the bundle (node's modules, the files beside the bundle by their
  // path, the language server's package from the same node_modules): node:module's createRequire
  // would load node's ES module loader for nothing.
  script.runInThisContext()(bundleModule.exports, require, bundleModule, bundle, dirname(bundle));
} catch (e) {
  // a bundle cut short or overwritten: not a script the build wrote, which would neither fail to
  // compile nor throw while setting itself up
  process.stderr.write(`stackopt: dist/bundle/${bundleName} is damaged (${e instanceof Error ? e.message : String(e)}); run \`npm run build\` in its folder\n`);
  process.exit(3);
}
cli = bundleModule.exports;
// this run records the user's own cache of the bundle at its end (there was none, or V8 rejected it)
const recordsUserCache = Boolean(userCache) && (!cachedData || script.cachedDataRejected);
// a bundle built by an older version than this file (a pull without a rebuild) lacks what it calls
if (typeof cli.run !== 'function' || typeof cli.observeInputSizes !== 'function' || typeof cli.useCodeCache !== 'function' || typeof cli.saveCodeCaches !== 'function' || typeof cli.describeOutputError !== 'function' || typeof cli.writeFully !== 'function') {
  process.stderr.write(`stackopt: dist/bundle/${bundleName} is older than bin/stackopt.js; run \`npm run build\` in its folder\n`);
  process.exit(3);
}
// V8 checks a code cache against the flags in force when it was made, those set while running
// included: once a flag is set below (sizeHeapByInputs), no cache is kept (it would be rejected next time).
let flagsSet = false;
if (v8) cli.observeInputSizes(sizeHeapByInputs());
// the scripts the bundle loads beside itself (the older stack schema validators) keep their caches
// as the bundle does: the build's beside each (src/engine/code-cache.ts), or under V8 flags the user's own
if (userCache) {
  cli.useCodeCache((file) => {
    const mine = userCacheFile(basename(file, '.cjs'), statSync(file));
    return { data: readOwnFile(mine), save: (make) => flagsSet || saveUserCache(mine, make()) };
  });
}
cli.run(args, straightReport).then(
  (code) => {
    process.exitCode = code;
    if (writeCache) writeFileSync(writeCache, script.createCachedData());
    else if (recordsUserCache && !flagsSet) saveUserCache(userCache, script.createCachedData());
    // and those of the scripts loaded beside the bundle that ran without one (yaml, validators)
    cli.saveCodeCaches();
    // A command that has returned has nothing left to do: what node would still do before exiting
    // is free the heap, the code cache and the environment one by one, memory the system takes back
    // at exit anyway (100 corpus files: 0.84x the CPU; docs/DEVELOPING.md, "Start-up of a small
    // lint"). So it exits here, unless output is still queued (an asynchronous pipe or terminal on
    // some systems: node then writes it and exits as usual). `exit` handlers still run. Not for the
    // commands that talk to other processes (audit and usage run the docker CLI, lsp an editor's
    // connection): they end as node ends them.
    // A write that failed counts as written, its error reported on the next turn: an errored stream
    // is left to its handler (exit 2 with one line).
    if (exitsWhenDone && !straightReport?.failed && madeStreams.every((s) => s.writableLength === 0 && !s.errored)) process.exit();
  },
  (e) => {
    // run() answers every error it meets in one line; this is a failure before it could (setting up the commands)
    process.stderr.write(`stackopt: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 3;
  },
);

/**
 * What sets V8's flags while running, without node:v8: its setFlagsFromString is its internal
 * binding's, which process.binding('v8') hands out without loading node:v8 and the two dozen
 * stream modules it requires. process.binding is deprecated for this module: its warning is
 * silenced for the call (where --no-deprecation has not already). Where the binding is not there, node:v8.
 * Silenced, the warning is not made at all: node's emitWarning returns before a
 * `process.on('warning')` listener could see it, or --throw-deprecation throw it. That loses nothing:
 * this runs before the bundle is loaded, so no listener of ours exists yet, only one a user's
 * preload (`-r`, NODE_OPTIONS) may have added; and the warning would be about the CLI's own access to
 * the binding, nothing the user's code did or could change (node:v8, taken in every other case, warns
 * of nothing either).
 */
function v8Flags() {
  // --no-deprecation makes it true (and read-only); otherwise node has not defined it
  const own = Object.getOwnPropertyDescriptor(process, 'noDeprecation');
  const silence = !process.noDeprecation && (own === undefined || own.writable === true);
  try {
    if (silence) process.noDeprecation = true;
    const binding = process.binding('v8');
    if (typeof binding?.setFlagsFromString === 'function') return { setFlagsFromString: (flags) => binding.setFlagsFromString(flags) };
  } catch {
    /* no such binding: node:v8 */
  } finally {
    if (silence && own) process.noDeprecation = own.value;
    else if (silence) delete process.noDeprecation;
  }
  return require('node:v8');
}

/**
 * For a command whose standard output is a regular file or /dev/null (`> report.txt`, a benchmark),
 * the output is written with writeSync, which is what node's stream for such an output
 * (SyncWriteStream) does with each write: the same bytes, and a failed write reported as the stream's
 * error is (outputFailed); unlike the stream, a write that takes only part of the text is followed
 * by the rest (the bundle's writeFully, src/parse/write-file.ts).
 * process.stdout is then never made, and with it none of node's stream modules is loaded (about
 * 1 ms of a small lint). A terminal or a pipe (how node writes to those differs) gets
 * process.stdout as before. Standard error is untouched.
 */
function reportStraightToFile() {
  let out;
  try {
    out = fstatSync(1);
  } catch {
    return undefined; // no standard output: node's stream makes what it makes of that
  }
  const devNull = () => {
    try {
      const n = statSync('/dev/null');
      return n.isCharacterDevice() && n.rdev === out.rdev;
    } catch {
      return false;
    }
  };
  if (!out.isFile() && !(out.isCharacterDevice() && devNull())) return undefined;
  // as the stream does, a write that fails is reported on the next tick (outputFailed: exit 2), and
  // what is written after it is dropped
  const io = {
    failed: null,
    stdout: (text) => {
      if (io.failed) return;
      try {
        // node's stream drops what a partial write did not take without a word (a report cut short,
        // exit 1): the bundle's writeFully writes the rest, and reports the write that then fails
        cli.writeFully(1, text);
      } catch (e) {
        io.failed = e;
        process.nextTick(outputFailed, e);
      }
    },
    isTTY: false,
  };
  return io;
}


/**
 * The heap sized by the inputs read. `fix` and `lint` given an input of GC_AFTER bytes or more: GC_FLAGS.
 * Between full collections V8 lets the heap grow to up to four times what was live at the last one.
 * Once a file of several MiB is read (a large tree about to be live), it grows by 30% instead: a
 * lower peak for some more CPU (20,000 services: peak 461 -> 393 MiB, CPU +10%, at 50%; with the
 * smaller tree and model since, 30% against 50%: 276-282 MiB against 281-296, CPU 1.12x).
 */
function sizeHeapByInputs() {
  // the build's warm-up records the caches: it sets no flag; nor does a run that records the user's
  // own cache of the bundle at its end (the next runs, which read it, do)
  let gcSet = GC_AFTER === null || Boolean(writeCache) || recordsUserCache;
  let leanHeap = false;
  return (bytes) => {
    // a lint of a file of several MiB keeps to the lean heap below: with these flags as well, the
    // 20,000-service file peaked at 290-321 MiB against 282-289 (5 runs each)
    if (!gcSet && bytes >= GC_AFTER && !(command === 'lint' && bytes >= LEAN_HEAP_AFTER)) {
      gcSet = flagsSet = true;
      v8.setFlagsFromString(GC_FLAGS);
    }
    if (leanHeap || bytes < LEAN_HEAP_AFTER) return;
    leanHeap = flagsSet = true;
    v8.setFlagsFromString('--heap-growing-percent=30');
    if (command === 'audit') v8.setFlagsFromString(AUDIT_GC_FLAGS);
  };
}

/**
 * `$XDG_CACHE_HOME/stackopt/<name>-<hash>.cache` (else `~/.cache/...`), the hash of the flags (the
 * user's and those set above), node and the script's build (`st`, its stat: V8 checks only a
 * cache's flags and the source's length, so a rebuilt script of the same size must get another
 * name; its inode and change time differ even where a copy keeps the modification time).
 */
function userCacheFile(name, st) {
  let h = 0x811c9dc5; // FNV-1a over what makes a cache valid
  for (const c of `${process.version}\0${v8 ? `${V8_FLAGS} ${USER_CACHE_FLAGS}` : ''}\0${flags}\0${st.size}\0${st.mtimeMs}\0${st.ino}\0${st.ctimeMs}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  // os.homedir() is $HOME where it is set: node:os is loaded only where it is not
  const base = process.env.XDG_CACHE_HOME || join(process.env.HOME || require('node:os').homedir(), '.cache');
  return join(base, 'stackopt', `${name}-${h.toString(16).padStart(8, '0')}.cache`);
}

/** The file's size, 0 when it cannot be read (no such file, a file where a folder should be). */
function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Reads the file into `buffer` (up to its length) and returns the number of bytes read. */
function readInto(buffer, file) {
  const fd = openSync(file, 'r');
  try {
    return readFd(fd, buffer, buffer.length);
  } finally {
    closeSync(fd);
  }
}

/** Up to `size` bytes of an open file into `buffer`; the number read. */
function readFd(fd, buffer, size) {
  let n = 0;
  for (let r; n < size && (r = readSync(fd, buffer, n, size - n, null)) > 0; ) n += r;
  return n;
}

/** The build's cache read into `buffer`, or undefined when it cannot be read. */
function readOrNothing(buffer, file) {
  try {
    return buffer.subarray(0, readInto(buffer, file));
  } catch {
    return undefined;
  }
}

/** Whether a file or folder belongs to this user and nobody else may write it. */
function ownedByMe(st) {
  const uid = process.getuid?.();
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

/**
 * A user cache file opened, with its size, when it and its folder belong to this user, nobody else
 * may write them and it is a regular file of a cache's size; else undefined. It is checked through
 * its open descriptor, so what is read is what was checked.
 */
function openOwnFile(file) {
  let fd;
  try {
    if (!ownedByMe(lstatSync(dirname(file)))) return undefined;
    // not blocked by a FIFO planted at the name (it is then no file, and not read)
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    const st = fstatSync(fd);
    // far larger than any cache of ours (about 1 MB): a larger file is not read
    if (st.isFile() && ownedByMe(st) && st.size <= 64 * 1024 * 1024) return { fd, size: st.size };
  } catch {
    /* no such file, or not one to read: the script compiles as usual */
  }
  if (fd !== undefined) closeSync(fd);
  return undefined;
}

/** An opened user cache read (into `buffer` when it fits) and closed; undefined when the read fails. */
function readOpened(opened, buffer) {
  try {
    const into = buffer && opened.size <= buffer.length ? buffer : Buffer.allocUnsafe(opened.size);
    return into.subarray(0, readFd(opened.fd, into, opened.size));
  } catch {
    return undefined;
  } finally {
    closeSync(opened.fd);
  }
}

/** A user cache file's bytes (openOwnFile's checks), or undefined. */
function readOwnFile(file) {
  const opened = openOwnFile(file);
  return opened && readOpened(opened);
}

/** Written beside, then renamed: a reader never sees half a cache. Any failure only costs speed. */
function saveUserCache(file, data) {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // a folder someone else made (or may write) is not ours to write a cache into
    if (!ownedByMe(lstatSync(dirname(file)))) return;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch {
    /* a read-only home or a full disk: the next run compiles again */
  }
}
