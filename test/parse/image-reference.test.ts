import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageReferenceProblem } from '../../src/parse/go-values.js';
import { cpuRatio } from '../helpers/measure.js';
import { dockerAvailable, pool } from '../oracle-match.js';

/**
 * An image reference as docker reads it (distribution/reference's ParseNormalizedNamed): swarmkit
 * refuses a service whose image it cannot read, and `docker pull` reads the reference the same way
 * in the client, before it asks the engine. So the real `docker pull`, pointed at a socket that does
 * not exist, is the oracle: it prints the reference's error, or that it cannot reach the engine.
 */
const HAS_DOCKER = dockerAvailable();
const dir = mkdtempSync(join(tmpdir(), 'stackopt-image-ref-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `docker pull REF` says before it reaches an engine: its error, or null when it went on to connect. */
function dockerPull(ref: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['pull', '--', ref],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DOCKER_HOST: `unix://${dir}/none.sock`, DOCKER_CONFIG: dir }, timeout: 120_000 },
      (_err, stdout, stderr) => {
        const out = `${stdout}${stderr}`.trim();
        resolve(/Cannot connect to the Docker daemon/.test(out) ? null : out);
      },
    );
  });
}

const hex = (n: number, c = 'a') => c.repeat(n);
const CASES: Array<[string, string | null]> = [
  // what an unset variable leaves
  ['postgres:', 'invalid reference format'],
  ['ghcr.io//backend:latest', 'invalid reference format'],
  ['/backend:1', 'invalid reference format'],
  ['registry.example.com/team/:1', 'invalid reference format'],
  [':1.2', 'invalid reference format'],
  ['app@', 'invalid reference format'],
  ['registry:/app', 'invalid reference format'],
  // what docker reads
  ['postgres', null],
  ['postgres:16.4-alpine', null],
  ['ghcr.io/org/backend:latest', null],
  ['localhost:5000/app:1', null],
  ['[::1]:5000/app', null],
  ['docker.io/library/nginx:1.27', null],
  ['index.docker.io/nginx', null],
  ['a--b/c__d.e_f:_tag', null],
  ['host:5000', null], // no `/`: a name on Docker Hub with the tag 5000
  ['MyRegistry/app', null], // capital letters in the first component: a registry
  ['a_b.c/app', null], // not a host name, so all of it is the path
  [`app@sha256:${hex(64)}`, null],
  [`app:1@sha512:${hex(128)}`, null],
  ['x'.repeat(247), null], // library/ and 247: 255, the longest path
  [`ghcr.io/${'x'.repeat(255)}`, null],
  // what docker refuses
  ['Postgres:16', 'invalid reference format: repository name must be lowercase'],
  ['ghcr.io/MyOrg/app', 'invalid reference format: repository name must be lowercase'],
  ['a___b', 'invalid reference format'],
  ['app:-x', 'invalid reference format'],
  ['app:tag:tag', 'invalid reference format'],
  [`app:${'t'.repeat(129)}`, 'invalid reference format'],
  ['.app', 'invalid reference format'],
  ['app/', 'invalid reference format'],
  ['a b', 'invalid reference format'],
  ['-host.io/app', 'invalid reference format'],
  ['host.io:/app', 'invalid reference format'],
  ['app@sha256:abc', 'invalid reference format'],
  [`app@md5:${hex(32)}`, 'unsupported digest algorithm'],
  // no property an object inherits is an algorithm
  [`app@constructor:${hex(64)}`, 'unsupported digest algorithm'],
  [`app@sha256:${hex(63)}`, 'invalid checksum digest length'],
  [`app@sha256:${hex(64, 'A')}`, 'invalid checksum digest format'],
  [hex(64), 'invalid repository name, cannot specify 64-byte hexadecimal strings'],
  ['x'.repeat(248), 'repository name must not be more than 255 characters'],
  [`ghcr.io/${'x'.repeat(256)}`, 'repository name must not be more than 255 characters'],
  [`a_b.c/${'x'.repeat(250)}`, 'repository name must not be more than 255 characters'],
];

describe('imageReferenceProblem', () => {
  it('says what docker says', () => {
    for (const [ref, problem] of CASES) expect(imageReferenceProblem(ref), ref).toBe(problem);
  });

  it.skipIf(!HAS_DOCKER)('agrees with the real docker pull on each case (docker CLI 28, client only)', async () => {
    const said = await pool(CASES, 4, ([ref]) => dockerPull(ref));
    const got = CASES.map(([ref], i) => `${ref.length > 40 ? `${ref.slice(0, 20)}...(${ref.length})` : ref}: ${said[i] === null ? 'reads it' : 'refuses it'}`);
    const want = CASES.map(([ref, problem]) => `${ref.length > 40 ? `${ref.slice(0, 20)}...(${ref.length})` : ref}: ${problem === null ? 'reads it' : 'refuses it'}`);
    expect(got).toEqual(want);
    // docker's words, with the name it quotes taken out
    CASES.forEach(([ref, problem], i) => {
      if (problem) expect(said[i]!.replace(/ \([^)]*\)/, ''), ref).toBe(problem);
    });
  }, 300_000);

  it('takes time in proportion to the reference, of any shape', () => {
    // each shape read once: dotted hosts, runs of separators, long tags and digests, long paths
    const shapes = (n: number) => [
      `${'a.'.repeat(n)}io/app`,
      `${'a-'.repeat(n)}-/app`,
      `ghcr.io/${'a_'.repeat(n)}b`,
      `ghcr.io/${'a/'.repeat(n)}b:1`,
      `ghcr.io/${'a'.repeat(n)}:${'t'.repeat(n)}`,
      `app@sha256:${'f'.repeat(2 * n)}`,
      `app@${'a.'.repeat(n)}a:${'f'.repeat(64)}`,
      `[${':'.repeat(n)}]:5000/app`,
      `${'a'.repeat(2 * n)}!`,
    ];
    const run = (refs: string[]) => refs.forEach((r) => imageReferenceProblem(r));
    const [small, large] = [shapes(200_000), shapes(3_200_000)];
    // 16 times the input: linear work is about 16 times (measured: 7-9). docker's pattern as one
    // RegExp (nested repetitions) backtracks: at the large size it overflows V8's stack
    expect(cpuRatio(run, small, large)).toBeLessThan(100);
  }, 300_000);
});
