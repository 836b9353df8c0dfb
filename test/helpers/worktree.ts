import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository's root folder. */
export const repositoryRoot = join(import.meta.dirname, '..', '..');

/**
 * Copy this working tree as git sees it (tracked files and new ones it does not ignore; no
 * node_modules, no build output) to `dest`: a checkout of the current state, for tests that
 * install or build stackopt the way a user's tool does.
 */
export function copyWorkingTree(dest: string): void {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repositoryRoot, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`git ls-files: ${r.stderr}`);
  for (const f of r.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(repositoryRoot, f))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(join(repositoryRoot, f), join(dest, f));
  }
}

/** A process run without blocking the test worker (installs and builds take minutes); its output, stdout and stderr interleaved. */
export function runProcess(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}
