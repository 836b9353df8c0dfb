import { closeSync, constants, openSync, readFileSync, readSync, statSync } from 'node:fs';

/** The largest input read (a compose file, a config, an env file, a baseline): far above any real one. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Called with the size of each input read (readText, readStdin): the CLI sizes the JavaScript engine by it. */
let inputObserver: ((bytes: number) => void) | undefined;

/** Have `observer` told the byte size of every input read from now on (one observer; undefined removes it). */
export function observeInputSizes(observer: ((bytes: number) => void) | undefined): void {
  inputObserver = observer;
}

/** Why a file the user named cannot be read: one line, no stack trace (the caller adds the path). */
export class ReadTextError extends Error {
  constructor(
    message: string,
    /** the file does not exist (ENOENT): for callers to whom a missing file is no error */
    readonly missing = false,
    /** where in the file the problem is (a NUL byte, a byte that is not UTF-8) */
    readonly at?: { line: number; column: number },
  ) {
    super(message);
  }
}

/** A file that cannot be read, in one line: `FILE[:LINE:COL]: cannot read file: why`. */
export function readFailure(shown: string, e: ReadTextError, what = 'cannot read file'): string {
  return `${shown}${e.at ? `:${e.at.line}:${e.at.column}` : ''}: ${what}: ${e.message}`;
}

/**
 * The text of a file the user named, as UTF-8. A regular file is read whole; a pipe or a device
 * (`/dev/stdin`, `<(cat f)`, a FIFO) is read without blocking on a missing writer, so a FIFO that
 * nobody writes to reads as empty instead of hanging. Throws ReadTextError saying why: no such
 * file, permission denied, a directory, larger than MAX_INPUT_BYTES, not UTF-8 text (or UTF-16 with a
 * byte order mark).
 */
export function readText(path: string): string {
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new ReadTextError('is a directory');
    if (st.isFile()) {
      if (st.size > MAX_INPUT_BYTES) throw tooLarge();
      bytes = readFileSync(path);
    } else bytes = readStream(path);
  } catch (e) {
    if (e instanceof ReadTextError) throw e;
    throw new ReadTextError(describeFsError(e), (e as NodeJS.ErrnoException).code === 'ENOENT');
  }
  inputObserver?.(bytes.length);
  return decodeUtf8(bytes);
}

/**
 * One errno of a read or a write turned into words: `no such file` (`the folder does not exist` for
 * a write), `permission denied`, … (else node's own message).
 */
export function describeFsError(e: unknown, writing = false): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return writing ? 'the folder does not exist' : 'no such file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EFBIG':
      return 'the file would be larger than allowed (a file size limit)';
    case 'EROFS':
      return 'read-only file system';
    case 'ELOOP':
      return 'a loop of symbolic links';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ENXIO':
      return 'not a file that can be read (a socket?)';
    default:
      return (e as Error).message;
  }
}

function tooLarge(): ReadTextError {
  return new ReadTextError(`larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
}

/** A pipe or device read to its end without blocking in open (a FIFO with no writer is empty). */
function readStream(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return readFd(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Standard input read to its end, as text (`lint --stdin`, the path `-`). Read from the open
 * descriptor itself: when it is a socket (a parent process's pipe), `/dev/stdin` cannot be opened.
 * Throws ReadTextError as readText does.
 */
export function readStdin(): string {
  let bytes: Buffer;
  try {
    bytes = readFd(0);
  } catch (e) {
    if (e instanceof ReadTextError) throw e;
    // a closed standard input reads as empty
    if ((e as NodeJS.ErrnoException).code === 'EBADF') return '';
    throw new ReadTextError(describeFsError(e));
  }
  inputObserver?.(bytes.length);
  return decodeUtf8(bytes);
}

/** An open descriptor read to its end (at most MAX_INPUT_BYTES), waiting while a writer has not written yet. */
function readFd(fd: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf);
    } catch (e) {
      // a writer is there but has not written yet
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_INPUT_BYTES) throw tooLarge();
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true });

/**
 * The text of the bytes: UTF-8, or UTF-16 when a byte order mark says so (docker's YAML reader
 * reads both). The BOM stays in the text (as U+FEFF), as it does for UTF-8, so the source keeps it.
 * A NUL byte or an invalid sequence is a ReadTextError that quotes nothing.
 */
export function decodeUtf8(bytes: Buffer): string {
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? utf16le : bytes[0] === 0xfe && bytes[1] === 0xff ? utf16be : null;
  if (utf16) {
    try {
      return utf16.decode(bytes);
    } catch {
      throw new ReadTextError(`not UTF-16 text (it starts with a UTF-16 ${utf16 === utf16le ? 'little' : 'big'}-endian byte order mark)`);
    }
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new ReadTextError('not a text file (a NUL byte)', false, positionOfByte(bytes, nul));
  try {
    return utf8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new ReadTextError(bad < 0 ? 'not UTF-8 text' : `not UTF-8 text (a byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} that starts no UTF-8 character there)`, false, bad < 0 ? undefined : positionOfByte(bytes, bad));
  }
}

/** Line and column (UTF-16 units of the valid text before it, as a finding's) of a byte offset. */
function positionOfByte(bytes: Buffer, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1 };
}

/**
 * The offset of the first byte that does not start a well-formed UTF-8 sequence (the sequences the
 * fatal decoder takes: no overlong forms, no surrogates, nothing past U+10FFFF), or -1.
 */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}
