/**
 * `stackopt usage record` as a user runs it (the built CLI), where no engine is needed: option
 * errors, a file that is not a profile, an engine that cannot be reached. Recording itself is
 * tested against a real swarm in usage-record.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempProject } from './helpers/cli.js';

describe('stackopt usage record: errors before recording', () => {
  const project = tempProject({ 'compose.yaml': 'services:\n  web:\n    image: nginx\n' });
  beforeAll(() => assertBuilt());
  afterAll(() => project.cleanup());
  const record = (args: string[], env: Record<string, string> = {}) => runCli(['usage', 'record', ...args], project.dir, { DOCKER_HOST: `unix://${join(project.dir, 'no-engine.sock')}`, ...env });

  it('needs -o', () => {
    const r = record(['--duration', '5s']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/required option '-o, --output <file>' not specified/);
  });

  it.each([
    ['--interval', '500ms', 'at least 1s'],
    ['--interval', 'often', 'at least 1s'],
    ['--duration', '0s', 'at least 1s'],
    ['--duration', '40d', 'at least 1s'],
    ['--duration', '32d', 'at least 1s'],
    ['--duration', '745h', 'at least 1s'],
  ])('refuses %s %s', (option, value, bound) => {
    const r = record([option, value, '-o', 'usage.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`stackopt: ${option} takes a duration such as 30s, 5m or 2h (${bound}, at most 31 days), not "${value}"\n`);
    expect(existsSync(join(project.dir, 'usage.json'))).toBe(false);
  });

  it('will not append to (or overwrite) a file that is not a usage profile', () => {
    const r = record(['--duration', '5s', '-o', 'compose.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("stackopt: compose.yaml:1:1: the usage profile is not valid JSON (unexpected \"s\") (refusing to overwrite it: name another file with -o)\n");
    expect(readFileSync(join(project.dir, 'compose.yaml'), 'utf8')).toBe('services:\n  web:\n    image: nginx\n');
  });

  it('refuses an output folder that does not exist, before recording', () => {
    const r = record(['--duration', '5s', '-o', 'no/such/usage.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('stackopt: cannot write no/such/usage.json: the folder does not exist\n');
  });

  it('exits 3 with one line when the engine cannot be reached, and writes nothing', () => {
    const r = record(['--duration', '5s', '-o', 'usage.json']);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`stackopt: cannot reach the Docker engine at DOCKER_HOST=unix://${join(project.dir, 'no-engine.sock')}: start the engine, or set DOCKER_HOST or --context to a running Docker engine\n`);
    expect(existsSync(join(project.dir, 'usage.json'))).toBe(false);
  });

  it('lists record under `stackopt usage --help`', () => {
    const r = runCli(['usage', '--help'], project.dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/record \[options\] +sample the running containers of a stack into a usage\s+profile/);
  });
});
