import type * as Crypto from 'node:crypto';
import { chmodSync, chownSync, closeSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileKind } from './project-files.js';

// node:crypto is loaded when a file is written, not by every run that only reads (its loading is a
// noticeable part of a small lint's start-up).
let crypto: typeof Crypto | undefined;
const randomBytes = (n: number): Buffer => (crypto ??= createRequire(import.meta.url)('node:crypto') as typeof Crypto).randomBytes(n);

export interface WriteOptions {
  /** permission bits of the new file (default: those of `modeOf`, else 0666 less the umask) */
  mode?: number;
  /** a file whose permission bits the new file gets (the input, for `<file>.optimized`) */
  modeOf?: string;
  /**
   * Replace the file a path names rather than the path: a symbolic link is written through (its
   * target gets the new bytes, the link stays), and the file keeps its owner, group and mode; when
   * the owner cannot be kept (another user's file), nothing is written and WriteRefusedError says so.
   */
  inPlace?: boolean;
}

/** A write refused before anything was written: one line saying why (the caller adds the path). */
export class WriteRefusedError extends Error {}

/**
 * Write a file atomically: the bytes go to a new temporary file in the same folder, created
 * exclusively under a random name (a file or a symbolic link planted at that name is never opened
 * or followed), which is then renamed over the target, so a reader sees the old file or the new
 * one, never half of one. Renaming replaces a symbolic link at `path` by the file, unless
 * `inPlace` asks to write through it. Returns the path written.
 */
export function writeFileAtomic(path: string, data: string, opts: WriteOptions = {}): string {
  let dest = path;
  let keep: Stats | null = null;
  // a rename would put the file in the place of a device, a pipe or a socket at the name (run as
  // root, `-o /dev/null` would replace /dev/null itself): those are written to by writeOutputFile
  // where the user named them, and refused here
  const kind = specialKind(path);
  if (kind) throw new WriteRefusedError(`it is ${kind}, not a regular file`);
  if (opts.inPlace) {
    dest = realpathSync(path);
    keep = statSync(dest);
    if (!keep.isFile()) throw new WriteRefusedError('not a regular file');
    const uid = process.getuid?.();
    if (uid !== undefined && uid !== 0 && keep.uid !== uid) throw new WriteRefusedError(`it belongs to another user (uid ${keep.uid}) and a rewritten file would belong to you; write the result elsewhere with -o`);
  }
  let mode = opts.mode;
  if (mode === undefined && keep) mode = keep.mode & 0o7777;
  if (mode === undefined && opts.modeOf) {
    try {
      mode = statSync(opts.modeOf).mode & 0o777;
    } catch {
      mode = undefined;
    }
  }
  const { fd, tmp } = createExclusive(dirname(dest), basename(dest), mode ?? 0o666);
  try {
    try {
      writeFully(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // the umask narrowed the bits at creation: set them exactly
    if (mode !== undefined) chmodSync(tmp, mode);
    if (keep && (keep.uid !== statSync(tmp).uid || keep.gid !== statSync(tmp).gid)) {
      chownSync(tmp, keep.uid, keep.gid);
      // chown clears set-user-ID and set-group-ID bits: set the mode again
      chmodSync(tmp, mode!);
    }
    renameSync(tmp, dest);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* it is already gone */
    }
    throw e;
  }
  return dest;
}

/**
 * What a path names when it is a device, a pipe or a socket, or a symbolic link to one (`/dev/stdout`:
 * a rename would replace the link), else null.
 */
function specialKind(path: string): string | null {
  // a file, a folder (the rename fails on its own) or nothing yet: null
  const special = (st: Stats) => (st.isFile() || st.isDirectory() ? null : fileKind(st));
  try {
    const st = lstatSync(path);
    if (!st.isSymbolicLink()) return special(st);
    const kind = special(statSync(path));
    return kind ? `a link to ${kind}` : null;
  } catch {
    return null;
  }
}

/** A new file beside `name` in `dir` under a random name, opened with O_CREAT | O_EXCL. */
function createExclusive(dir: string, name: string, mode: number): { fd: number; tmp: string } {
  for (let attempt = 0; ; attempt++) {
    const tmp = join(dir, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
    try {
      return { fd: openSync(tmp, 'wx', mode), tmp };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 10) throw e;
    }
  }
}

/** Whether two paths name the same file (after links; by device and inode). False when either is missing. */
export function isSameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * Write a file the user named (a report, a baseline, `fix -o`, a snapshot): atomically like
 * writeFileAtomic with `opts` (without `inPlace`, a symbolic link planted at the name is replaced,
 * not written through), except that a device or a pipe the name leads to (`/dev/stdout`,
 * `/dev/null`, a FIFO) is written to as it is, as a shell redirection would.
 */
export function writeOutputFile(path: string, data: string, opts: WriteOptions = {}): void {
  if (writesToDevice(path)) writeFileSync(path, data);
  else writeFileAtomic(path, data, opts);
}

/** Whether the name leads (through links) to a device, a pipe or a socket, which is written to as it is. */
function writesToDevice(path: string): boolean {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return false;
  }
  return !st.isFile() && !st.isDirectory();
}

/**
 * Write all of `text` to the file descriptor. A write may take only part of it (a disk that fills, a
 * file size limit): the rest is written again, and the write that then fails (ENOSPC, EFBIG) throws.
 * A write that takes nothing and reports no error throws EIO (it would be asked again forever).
 */
export function writeFully(fd: number, text: string): void {
  const written = writeSync(fd, text);
  const bytes = Buffer.byteLength(text);
  if (written >= bytes) return;
  const rest = Buffer.from(text).subarray(written);
  for (let at = 0; at < rest.length; ) {
    const n = writeSync(fd, rest, at);
    if (n <= 0) throw Object.assign(new Error('the output took no more bytes'), { code: 'EIO' });
    at += n;
  }
}
