import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { decodeUtf8, MAX_INPUT_BYTES, ReadTextError } from './read-text.js';

/**
 * Which files a project may read besides the ones named on the command line: a file that a compose
 * file points at (`extends.file`, the implicit `.env`, `include`) must be a regular file
 * inside the project. The project is the folders of the files named on the command line and the
 * paths the configuration allows (`allowPaths`); a path is judged by where it really is, after
 * symbolic links. System trees (`/proc`, `/sys`, `/dev`) and version-control metadata (`.git`,
 * `.hg`, `.svn`) are never read, and a special file (a FIFO, a device, a socket) is refused before
 * it is opened, so a reference cannot hang the run or read another process's output.
 */
export class ProjectBoundary {
  /** the allowed folders and files, as real paths (symbolic links resolved) */
  private readonly roots: string[];

  /** `outside`: how a refusal names what lies outside the roots (by default the project's folders and allowPaths) */
  constructor(
    roots: readonly string[],
    private readonly outside: string = OUTSIDE_PROJECT,
  ) {
    this.roots = [...new Set(roots.map(realOrResolved))];
  }

  /** The project of `files` (the folder of each) and the configuration's `allowPaths` (absolute). */
  static of(files: readonly string[], allowPaths: readonly string[] = []): ProjectBoundary {
    return new ProjectBoundary([...files.map((f) => dirname(resolve(f))), ...allowPaths]);
  }

  /** Whether `real` (a real path) is one of the roots or inside one. */
  private contains(real: string): boolean {
    return this.roots.some((root) => isInside(root, real));
  }

  /**
   * Why `path` may not be read, or null when it may: a regular file inside the project. Nothing is
   * opened; only `stat` and the links of the path are looked at.
   */
  refusal(path: string): string | null {
    return this.inspect(resolve(path)).refused;
  }

  /**
   * Why a file the project will read back (a baseline a configuration names) may not be written at
   * `path`, or null when it may: judged as `refusal` judges a read (inside the roots after links, no
   * system tree or version-control data, nothing but a regular file: never a FIFO, which a write
   * would wait on), except that the file need not exist yet (its folder must) and its size does not
   * matter. Nothing is opened.
   */
  writeRefusal(path: string): string | null {
    return this.inspect(resolve(path), true).refused;
  }

  private inspect(abs: string, writing = false): { refused: string | null; real?: string; stats?: Stats } {
    // judged before the file itself is touched: its folder, links resolved, must be in the project
    const inFolder = join(realOrResolved(dirname(abs)), basename(abs));
    if (!this.contains(inFolder)) return { refused: this.outside };
    let real: string;
    try {
      real = realpath(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // a new file (or a link to nowhere, which the write replaces): its folder was judged
      if (code === 'ENOENT' && writing) return { refused: newFileRefusal(inFolder) };
      if (code === 'ENOENT') return { refused: 'no such file' };
      if (code === 'ELOOP') return { refused: 'a loop of symbolic links' };
      if (code === 'EACCES') return { refused: 'permission denied' };
      return { refused: `cannot be resolved (${code ?? 'unknown error'})` };
    }
    if (!this.contains(real)) return { refused: `a symbolic link to ${real}, which is ${this.outside}` };
    const tree = treeRefusal(real);
    if (tree) return { refused: tree };
    let stats: Stats;
    try {
      stats = statSync(real);
    } catch {
      return { refused: 'no such file' };
    }
    const kind = fileKind(stats);
    if (kind !== 'a regular file') return { refused: `not a regular file (${kind})` };
    if (stats.size > MAX_INPUT_BYTES && !writing) return { refused: `larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB` };
    return { refused: null, real, stats };
  }

  /**
   * The text of a file of the project, as UTF-8. Throws ReadTextError with the reason when the
   * path is refused or unreadable; the reason never quotes the file's content.
   */
  readText(path: string): string {
    const checked = this.inspect(resolve(path));
    if (checked.refused !== null) throw new ReadTextError(checked.refused);
    const real = checked.real!;
    let fd: number;
    try {
      // O_NONBLOCK: should the file have been swapped for a FIFO since the check, open does not wait
      fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ReadTextError(code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `cannot be opened (${code ?? 'unknown error'})`);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.ino !== checked.stats!.ino || st.dev !== checked.stats!.dev) throw new ReadTextError('changed while it was read');
      if (st.size > MAX_INPUT_BYTES) throw new ReadTextError(`larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
      const chunks: Buffer[] = [];
      let total = 0;
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buf);
        if (n === 0) break;
        total += n;
        if (total > MAX_INPUT_BYTES) throw new ReadTextError(`larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
        chunks.push(Buffer.from(buf.subarray(0, n)));
      }
      return decodeUtf8(Buffer.concat(chunks));
    } finally {
      closeSync(fd);
    }
  }
}

/** Why a file that does not exist yet may not be made at `real` (its folder's real path and its name), or null. */
function newFileRefusal(real: string): string | null {
  const tree = treeRefusal(real);
  if (tree) return tree;
  const folder = statSync(dirname(real), { throwIfNoEntry: false });
  if (!folder) return 'its folder does not exist';
  return folder.isDirectory() ? null : 'a part of the path is not a directory';
}

/** Whether the path `p` is `base` or inside it (both absolute; `..name` is a file of `base`, not its parent). */
export function isInside(base: string, p: string): boolean {
  return relativeInside(relative(base, p));
}

/** Whether a path relative to a folder (`path.relative`'s answer) stays in it: `..name` does, `..` and `../x` do not. */
export function relativeInside(rel: string): boolean {
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Why a path outside the project is refused (discovery words it for the folder searched). */
export const OUTSIDE_PROJECT = 'outside the project (the folders of the files named on the command line, and allowPaths in .stackopt.yaml)';

const VCS_FOLDERS = new Set(['.git', '.hg', '.svn']);

/**
 * The C library's realpath (one call; node's own makes an `lstat` from JavaScript per step of the
 * path). It also takes a `..` in a link's target as the kernel and docker do, in the folder the
 * link reached (`inner/../x` where `inner` links elsewhere), where node's own took it next to the
 * link and judged another file than the one read.
 */
export const realpath: (path: string) => string = process.platform === 'win32' ? realpathSync : realpathSync.native;

/** The real path of `p` when it exists, else `p` resolved (a missing root or file). */
function realOrResolved(p: string): string {
  try {
    return realpath(resolve(p));
  } catch {
    return resolve(p);
  }
}

/** `/proc`, `/sys` and `/dev` hold the state of the machine and its processes, never a project file. */
function systemTree(real: string): string | null {
  if (sep !== '/') return null;
  for (const tree of ['/proc', '/sys', '/dev']) if (real === tree || real.startsWith(`${tree}/`)) return `a system file under ${tree}`;
  return null;
}

/** Why no file of a project is at `real` (a real path): a system tree or version-control data; else null. */
function treeRefusal(real: string): string | null {
  const system = systemTree(real);
  if (system) return system;
  const vcs = real.split(sep).find((part) => VCS_FOLDERS.has(part));
  return vcs ? `inside ${vcs}, version-control data that is never a compose file` : null;
}

/** What kind of file a stat describes, in words (`a FIFO`, `a character device`, ...). */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Who else may have left the file `path` where it is: its owner's user id when that is neither this
 * process's user nor root and the file's folder is one anyone may write to (as `/tmp` is); else
 * null. A file that a search up the folders finds (a `.stackopt.yaml`, a `.gitignore`) would
 * otherwise apply another user's choices to every lint below such a folder. The entry itself is
 * judged, a symbolic link included. Null where there are no user ids (Windows).
 */
export function leftByAnotherUser(path: string): number | null {
  const me = process.getuid?.();
  if (me === undefined) return null;
  const entry = lstatSync(path, { throwIfNoEntry: false });
  if (!entry || entry.uid === me || entry.uid === 0) return null;
  const folder = statSync(dirname(path), { throwIfNoEntry: false });
  return folder && (folder.mode & 0o002) !== 0 ? entry.uid : null;
}
