import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeOutputFile, WriteRefusedError } from '../../src/parse/write-file.js';

describe('writeFileAtomic and writeOutputFile: a device, a pipe or a link to one is never replaced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-write-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writeFileAtomic refuses a named pipe and a link to a device (a rename would put a file in their place)', () => {
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => writeFileAtomic(fifo, 'x')).toThrow(new WriteRefusedError('it is a FIFO, not a regular file'));
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const link = join(dir, 'stdout');
    symlinkSync('/dev/null', link);
    expect(() => writeFileAtomic(link, 'x')).toThrow(new WriteRefusedError('it is a link to a character device, not a regular file'));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('writeFileAtomic replaces a regular file, and a link to one by the file (not written through)', () => {
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'old');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    const link = join(dir, 'b.txt');
    symlinkSync(file, link);
    writeFileAtomic(link, 'other');
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('new');
  });

  it('a snapshot saved and a usage profile written to a device a name leads to are written to it, the link kept', async () => {
    const { saveSnapshot } = await import('../../src/audit/snapshot.js');
    const { writeUsageProfile } = await import('../../src/usage/profile-file.js');
    const { recordedSnapshot } = await import('../helpers/swarm-snapshot.js');
    const link = join(dir, 'out');
    symlinkSync('/dev/null', link);
    saveSnapshot(link, recordedSnapshot('single-node'));
    writeUsageProfile(link, { version: 1 } as unknown as Parameters<typeof writeUsageProfile>[1]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('writeOutputFile writes to a device a name leads to, as a shell redirection would', () => {
    const link = join(dir, 'null');
    symlinkSync('/dev/null', link);
    writeOutputFile(link, 'report');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('writeOutputFile writes any other name as writeFileAtomic does with the options given', () => {
    const file = join(dir, 'c.txt');
    writeOutputFile(file, 'private', { mode: 0o600 });
    expect([readFileSync(file, 'utf8'), lstatSync(file).mode & 0o777]).toEqual(['private', 0o600]);
    const link = join(dir, 'd.txt');
    symlinkSync(file, link);
    writeOutputFile(link, 'through', { inPlace: true });
    expect([lstatSync(link).isSymbolicLink(), readFileSync(file, 'utf8')]).toEqual([true, 'through']);
    writeOutputFile(link, 'replaced');
    expect([lstatSync(link).isSymbolicLink(), readFileSync(file, 'utf8')]).toEqual([false, 'through']);
  });
});
