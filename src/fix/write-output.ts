import { chmodSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Where `fix` writes a file's result by default: beside it, with `.optimized` appended. */
export function optimizedPath(file: string): string {
  return `${file}.optimized`;
}

let counter = 0;

/**
 * Write a file atomically: the bytes go to a temporary file in the same folder, which is then
 * renamed over the target, so a reader sees the old file or the new one, never half of one.
 * `modeOf` names a file whose permission bits the new file gets (the input, for `.optimized`).
 */
export function writeFileAtomic(path: string, data: string, modeOf?: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  let mode: number | undefined;
  if (modeOf) {
    try {
      mode = statSync(modeOf).mode & 0o777;
    } catch {
      mode = undefined;
    }
  }
  try {
    writeFileSync(tmp, data, { encoding: 'utf8', flag: 'wx', ...(mode !== undefined ? { mode } : {}) });
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* it was never created or is already gone */
    }
    throw e;
  }
}
