export { writeFileAtomic, WriteRefusedError, isSameFile, writeOutputFile } from '../parse/write-file.js';

/** Where `fix` writes a file's result by default: beside it, with `.optimized` appended. */
export function optimizedPath(file: string): string {
  return `${file}.optimized`;
}
