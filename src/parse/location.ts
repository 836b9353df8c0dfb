import type { SourceFile } from './source-file.js';

/** A place in a source file: offsets into `source.text` (the text without its BOM). */
export interface FileLoc {
  kind: 'file';
  source: SourceFile;
  start: number;
  end: number;
}

/** A place in a live object (a swarm service or node), named by the object and a spec path. */
export interface LiveLoc {
  kind: 'live';
  /** e.g. `service web` or `node worker-1` */
  object: string;
  /** e.g. `Spec.TaskTemplate.Resources.Limits.MemoryBytes` */
  path: string;
}

export type Loc = FileLoc | LiveLoc;

/** 1-based line and column of a location's start and end. Live locations have none. */
export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Line and column of a file location, computed from its offsets only when a finding is made. */
export function positionOf(loc: Loc): Position | null {
  if (loc.kind !== 'file') return null;
  const s = loc.source.position(loc.start);
  const e = loc.source.position(Math.max(loc.start, loc.end));
  return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

/** The file a finding is reported under: the path shown to the user, or the live object's name. */
export function fileOf(loc: Loc): string {
  return loc.kind === 'file' ? loc.source.displayPath : loc.object;
}

/**
 * A location in a file. Its own fields are its file and offsets; `kind` is its class's (a large
 * file's tree holds a location per key and value: a field fewer each, 8 bytes, is 6 MiB at 20,000
 * services). It reads as any FileLoc does; a copy is made with fileLoc, not by spreading one (a
 * spread copies own fields only). One class for all files: the code that reads locations stays
 * monomorphic over many files.
 */
export function fileLoc(source: SourceFile, start: number, end: number): FileLoc {
  return new FileLocation(source, start, end) as FileLoc;
}

class FileLocation {
  constructor(
    readonly source: SourceFile,
    public start: number,
    public end: number,
  ) {}
}
Object.defineProperty(FileLocation.prototype, 'kind', { value: 'file', enumerable: true });

/** The location of a finding about a live swarm as a whole (`swarm`, with a spec path). */
export function swarmLoc(path: string): LiveLoc {
  return { kind: 'live', object: 'swarm', path };
}

/** `services.api.deploy.resources.limits` (sequence indexes as `[0]`). */
export function formatPath(path: readonly string[]): string {
  if (path.length === 0) return '';
  // joined rather than built with `+` (see formatMessage in src/engine/run-rules.ts)
  const out: string[] = [];
  let empty = true;
  for (let i = 0; i < path.length; i++) {
    const p = path[i]!;
    if (INDEX.test(p)) {
      out.push('[', p, ']');
      empty = false;
    } else if (!empty) out.push('.', p);
    else if (p !== '') {
      out.push(p);
      empty = false;
    }
  }
  return out.join('');
}

const INDEX = /^\d+$/;
