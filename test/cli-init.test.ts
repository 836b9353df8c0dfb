import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jsonFindings, repoRoot, runCliAsync as cli, tempProjects } from './helpers/cli.js';

/**
 * `stackopt init` on copies of real compose files (fixtures/corpus) in temporary git repositories:
 * the configuration it writes, the baseline, and lint after it.
 */
beforeAll(assertBuilt);
const project = tempProjects();

const CORPUS = join(repoRoot, 'fixtures', 'corpus');

/** A git repository holding corpus files (corpus path → path in the repository). */
async function repository(files: Record<string, string>, extra: Record<string, string> = {}): Promise<string> {
  const p = project(extra);
  for (const [from, to] of Object.entries(files)) {
    mkdirSync(dirname(join(p.dir, to)), { recursive: true });
    copyFileSync(join(CORPUS, from), join(p.dir, to));
  }
  await new Promise<void>((done, fail) => execFile('git', ['init', '-q'], { cwd: p.dir }, (e) => (e ? fail(e) : done())));
  return p.dir;
}

const MIXED = {
  'BretFisher__dogvscat/stack-voting.yml': 'swarm/stack-voting.yml',
  'swarmpit__swarmpit/docker-compose.yml': 'app/docker-compose.yml',
  'wodby__docker4drupal/compose.yml': 'compose.yml',
  'deviantony__docker-elk/docker-compose.yml': 'elk/docker-compose.yml',
};
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

/** Every line of a configuration that `init` wrote as a commented example, uncommented. */
function uncommentExamples(text: string): string {
  return text
    .split('\n')
    .map((l) => (/^# (\s*[a-z][\w-]*:|\s+- )/.test(l) && !l.startsWith('# yaml-language-server:') ? l.slice(2) : l))
    .join('\n');
}

describe('stackopt init --baseline', () => {
  it('writes a commented configuration and a baseline: lint passes, a new problem fails it', async () => {
    const dir = await repository(MIXED);
    const init = await cli(['init', '--baseline'], dir);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(init.stdout).toMatch(
      /^wrote \.stackopt\.yaml: target auto, 4 compose files found\nwrote \.stackopt-baseline\.json: \d+ findings recorded, named by \.stackopt\.yaml as its baseline\n\nNext steps:\n {2}stackopt lint +passes now; a new finding fails it\n {2}git add \.stackopt\.yaml \.stackopt-baseline\.json +commit both\n {2}stackopt fix --diff +what stackopt can fix/,
    );
    const config = read(dir, '.stackopt.yaml');
    expect(config).toContain('# yaml-language-server: $schema=https://raw.githubusercontent.com/stackopt/stackopt/main/schemas/config.schema.json\n');
    expect(config).toContain(
      '# `stackopt lint` without a path lints the 4 files found today (target, and why):\n' +
        '#   app/docker-compose.yml  swarm: the file uses the swarm-only key services.app.deploy.placement\n' +
        '#   compose.yml             compose: no stack file name and no swarm-only key\n' +
        '#   elk/docker-compose.yml  compose: no stack file name and no swarm-only key\n' +
        '#   swarm/stack-voting.yml  swarm: the file name "stack-voting.yml" says stack\n',
    );
    expect(config).toContain('# Detected: 2 swarm files and 2 compose files, so auto decides per file.\ntarget: auto\n');
    expect(config).toContain('\nbaseline: .stackopt-baseline.json\n');
    expect(config).toMatch(/\n# rules:\n# {3}[a-z-]+: (error|warning|info) +# \d+ findings?\n/);
    const recorded = JSON.parse(read(dir, '.stackopt-baseline.json')) as { findings: Array<{ file: string; count: number }> };
    expect(new Set(recorded.findings.map((f) => f.file))).toEqual(new Set(Object.values(MIXED)));
    const count = recorded.findings.reduce((n, f) => n + f.count, 0);
    expect(init.stdout).toContain(`wrote .stackopt-baseline.json: ${count} findings recorded`);

    const lint = await cli(['lint'], dir);
    expect(lint.stdout).toBe('✔ no problems in 4 files\n');
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    // from a folder below, too: the configuration (and its baseline) is found upward
    expect((await cli(['lint', '.'], join(dir, 'app'))).status).toBe(0);

    // a new service with a new problem
    writeFileSync(join(dir, 'app/docker-compose.yml'), read(dir, 'app/docker-compose.yml').replace(/^services:\n/m, 'services:\n  intruder:\n    image: alpine:3.20\n    privileged: true\n'));
    const after = await cli(['lint', '--format', 'json'], dir);
    expect(after.status).toBe(1);
    const fresh = jsonFindings(after);
    expect(fresh.every((f) => f.service === 'intruder' && f.file === 'app/docker-compose.yml')).toBe(true);
    expect(fresh.find((f) => f.ruleId === 'no-privileged')).toMatchObject({ severity: 'error', line: 4, column: 17 });
  });

  it('refuses to replace a configuration or a baseline without --force; --force replaces them', async () => {
    const dir = await repository({ 'dockersamples__example-voting-app/docker-stack.yml': 'docker-stack.yml' }, { '.stackopt.yaml': 'rules: {non-root-user: off}\n' });
    const again = await cli(['init'], dir);
    expect(again.stderr).toBe('stackopt: .stackopt.yaml already exists; `stackopt init --force` replaces it (and nothing was written)\n');
    expect(again.stdout).toBe('');
    expect(again.status).toBe(2);
    expect(read(dir, '.stackopt.yaml')).toBe('rules: {non-root-user: off}\n');

    writeFileSync(join(dir, 'old.json'), '{}\n');
    const forcedConfigOnly = await cli(['init', '--force', '--baseline', 'old.json'], dir);
    expect(forcedConfigOnly.status).toBe(0);
    expect(read(dir, '.stackopt.yaml')).toContain('\nbaseline: old.json\n');
    expect((await cli(['lint'], dir)).status).toBe(0);
    // the configuration now exists; a baseline that exists is refused too
    writeFileSync(join(dir, '.stackopt.yaml'), 'target: swarm\n');
    const keep = await cli(['init', '--baseline', 'old.json'], dir);
    expect(keep.status).toBe(2);
    expect(keep.stderr).toBe('stackopt: .stackopt.yaml already exists; `stackopt init --force` replaces it (and nothing was written)\n');
    const name = project({ '.stackopt.yml': 'target: swarm\n', 'base.json': '{}\n' });
    const yml = await cli(['init', '--baseline', 'base.json'], name.dir);
    expect(yml.stderr).toBe('stackopt: .stackopt.yml already exists; `stackopt init --force` replaces it (and nothing was written)\n');
    const none = project({ 'base.json': '{}\n' });
    const baseline = await cli(['init', '--baseline', 'base.json'], none.dir);
    expect(baseline.stderr).toBe('stackopt: base.json already exists; `stackopt init --baseline --force` replaces it (and nothing was written)\n');
    expect(baseline.status).toBe(2);
    expect(existsSync(join(none.dir, '.stackopt.yaml'))).toBe(false);
    // a link to a missing file is the folder's configuration to lint (it stops there): init leaves
    // it without --force, and replaces the link itself with it
    const dangling = project({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n' });
    symlinkSync('nothere.yaml', join(dangling.dir, '.stackopt.yaml'));
    const kept = await cli(['init'], dangling.dir);
    expect([kept.status, kept.stderr]).toEqual([2, 'stackopt: .stackopt.yaml already exists; `stackopt init --force` replaces it (and nothing was written)\n']);
    expect(lstatSync(join(dangling.dir, '.stackopt.yaml')).isSymbolicLink()).toBe(true);
    expect((await cli(['init', '--force'], dangling.dir)).status).toBe(0);
    expect(lstatSync(join(dangling.dir, '.stackopt.yaml')).isFile()).toBe(true);
    expect(existsSync(join(dangling.dir, 'nothere.yaml'))).toBe(false);
  });
});

describe('stackopt init', () => {
  it('without --baseline: the target every file has, the rules with findings, the next steps', async () => {
    const dir = await repository({
      'vegasbrianc__prometheus/docker-stack.yml': 'monitoring/docker-stack.yml',
      'dockersamples__example-voting-app/docker-stack.yml': 'voting/docker-stack.yml',
    });
    const init = await cli(['init'], dir);
    expect(init.status).toBe(0);
    expect(init.stdout).toMatch(/^wrote \.stackopt\.yaml: target swarm, 2 compose files found\n\nNext steps:\n {2}stackopt lint +today: \d+ findings \(exit 1: \d+ errors?\)\n {2}stackopt init --baseline --force +record them, so that only new findings fail lint\n {2}git add \.stackopt\.yaml +commit it\n/);
    const config = read(dir, '.stackopt.yaml');
    expect(config).toContain('# Detected: all 2 files are swarm stack files.\ntarget: swarm\n');
    expect(config).toContain('# baseline: .stackopt-baseline.json\n');
    expect(existsSync(join(dir, '.stackopt-baseline.json'))).toBe(false);
    // the configuration changes nothing until it is edited: lint reports what it reported before
    const lint = await cli(['lint', '--format', 'json'], dir);
    expect(lint.status).toBe(1);
    const counts = new Map<string, number>();
    for (const f of jsonFindings(lint)) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
    for (const [id, n] of counts) expect(config).toMatch(new RegExp(`\\n# {3}${id}: (error|warning|info) +# ${n} findings?\\n`));
  });

  it('every commented example is valid configuration once uncommented', async () => {
    for (const files of [MIXED, {}]) {
      const dir = await repository(files);
      expect((await cli(['init'], dir)).status).toBe(0);
      const uncommented = uncommentExamples(read(dir, '.stackopt.yaml'));
      expect(uncommented).toMatch(/\nfailOn: warning\n/);
      expect(uncommented).toMatch(/\nrules:\n/);
      expect(uncommented).toMatch(/\nsizing:\n {2}preset: default\n/);
      // the example baseline names a file that does not exist yet
      writeFileSync(join(dir, 'all.yaml'), uncommented.replace(/^baseline: .*\n/m, ''));
      writeFileSync(join(dir, 'probe.yaml'), 'services:\n  a:\n    image: nginx:1.27\n');
      const lint = await cli(['lint', '-c', 'all.yaml', 'probe.yaml'], dir);
      expect(lint.stderr).toBe('');
      expect([0, 1]).toContain(lint.status);
    }
  });

  it('with no compose files yet: a configuration all the same', async () => {
    const dir = await repository({});
    const init = await cli(['init'], dir);
    expect(init.status).toBe(0);
    expect(init.stdout).toMatch(/^wrote \.stackopt\.yaml: target auto, 0 compose files found\n/);
    expect(read(dir, '.stackopt.yaml')).toContain('# No compose files were found here yet');
  });

  it('says when a folder below has a configuration without a baseline, and when one above applied', async () => {
    const dir = await repository(
      { 'swarmpit__swarmpit/docker-compose.yml': 'svc/app/docker-compose.yml', 'wodby__docker4drupal/compose.yml': 'svc/compose.yml' },
      { '.stackopt.yaml': 'target: compose\n', 'svc/app/.stackopt.yaml': 'target: swarm\n' },
    );
    const svc = join(dir, 'svc');
    const init = await cli(['init', '--baseline'], svc);
    expect(init.status).toBe(0);
    expect(init.stderr).toMatch(
      /^stackopt: app\/docker-compose\.yml uses app\/\.stackopt\.yaml, which names no baseline: add `baseline: \.\.\/\.stackopt-baseline\.json` to it, or its \d+ findings will be reported\nstackopt: \.\.\/\.stackopt\.yaml applied to the files here until now; \.stackopt\.yaml replaces it for them \(the nearest configuration alone applies\): copy what you need from it\nstackopt: the repository's root is \.\.; files outside this folder do not use \.stackopt\.yaml \(run `stackopt init` there to cover them all\)\n$/,
    );
    const config = read(svc, '.stackopt.yaml');
    // the file under its own configuration is listed with it, and does not take part in the vote
    expect(config).toContain('#   app/docker-compose.yml  swarm: target swarm was asked for; configured by app/.stackopt.yaml\n');
    expect(config).toContain('# Detected: the file is a compose file.\ntarget: compose\n');
    expect((await cli(['lint'], svc)).status).toBe(1);
    // what the note says to do
    writeFileSync(join(svc, 'app/.stackopt.yaml'), 'target: swarm\nbaseline: ../.stackopt-baseline.json\n');
    expect((await cli(['lint'], svc)).status).toBe(0);
  });
});

describe('stackopt init refuses, before writing anything, a baseline or configuration it must not write', () => {
  const COMPOSE = 'services:\n  web:\n    image: nginx\n';
  /** A repository with a compose file, its .env and a folder with its own configuration; nothing of it changes. */
  async function repo(): Promise<{ dir: string; unchanged: () => void }> {
    const dir = await repository({}, { 'compose.yaml': COMPOSE, '.env': 'TAG=1\n', 'app/compose.yaml': COMPOSE, 'app/.stackopt.yaml': 'target: swarm\n' });
    return {
      dir,
      unchanged: () => {
        expect(existsSync(join(dir, '.stackopt.yaml'))).toBe(false);
        expect(read(dir, 'compose.yaml')).toBe(COMPOSE);
        expect(read(dir, '.env')).toBe('TAG=1\n');
        expect(read(dir, 'app/.stackopt.yaml')).toBe('target: swarm\n');
      },
    };
  }
  const refused = (run: { status: number; stdout: string; stderr: string }, line: string) => {
    expect(run.stderr).toBe(`stackopt: ${line}\n`);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  };

  it('a file the project reads: a compose file, .env, a configuration, the configuration init writes', async () => {
    const { dir, unchanged } = await repo();
    refused(await cli(['init', '--baseline', 'compose.yaml', '--force'], dir), '--baseline compose.yaml is compose.yaml, a file the project reads; nothing was written');
    refused(await cli(['init', '--baseline', '.env', '--force'], dir), '--baseline .env is .env, a file the project reads; nothing was written');
    refused(await cli(['init', '--baseline', 'app/.stackopt.yaml', '--force'], dir), '--baseline app/.stackopt.yaml is app/.stackopt.yaml, a file the project reads; nothing was written');
    refused(await cli(['init', '--baseline', '.stackopt.yaml', '--force'], dir), '--baseline .stackopt.yaml is .stackopt.yaml, the configuration init writes; nothing was written');
    unchanged();
  });

  it('a file outside the repository, where lint would not read the baseline the configuration names', async () => {
    const { dir, unchanged } = await repo();
    const outside = mkdtempSync(join(tmpdir(), 'stackopt-victim-'));
    writeFileSync(join(outside, 'system.conf'), 'keep me\n');
    refused(await cli(['init', '--baseline', join(outside, 'system.conf'), '--force'], dir), `--baseline ${join(outside, 'system.conf')}: outside ., the repository of .stackopt.yaml; nothing was written`);
    const rel = join('..', basename(outside), 'd.json');
    refused(await cli(['init', '--baseline', rel], dir), `--baseline ${rel}: outside ., the repository of .stackopt.yaml; nothing was written`);
    // a link in the repository to a file outside it
    symlinkSync(join(outside, 'system.conf'), join(dir, 'linked.json'));
    const link = await cli(['init', '--baseline', 'linked.json', '--force'], dir);
    expect(link.stderr).toMatch(/^stackopt: --baseline linked\.json: a symbolic link to .*system\.conf, which is outside \., the repository of \.stackopt\.yaml; nothing was written\n$/);
    expect(link.status).toBe(2);
    refused(await cli(['init', '--baseline', '.git/b.json'], dir), '--baseline .git/b.json: inside .git, version-control data that is never a compose file; nothing was written');
    refused(await cli(['init', '--baseline', 'nowhere/b.json'], dir), '--baseline nowhere/b.json: its folder does not exist; nothing was written');
    expect(readdirSync(outside)).toEqual(['system.conf']);
    expect(read(outside, 'system.conf')).toBe('keep me\n');
    unchanged();
    // inside it, the baseline is written and lint reads it
    const ok = await cli(['init', '--baseline', 'app/b.json'], dir);
    expect(ok.status).toBe(0);
    expect(read(dir, '.stackopt.yaml')).toContain('\nbaseline: app/b.json\n');
    expect((await cli(['lint', 'compose.yaml'], dir)).status).toBe(0);
  });

  it('a FIFO, a folder or a device at either name is refused, not waited on', async () => {
    const { dir, unchanged } = await repo();
    execFileSync('mkfifo', [join(dir, '.stackopt-baseline.json')]);
    // a write to the FIFO would wait for a reader forever (the runner's own limit is minutes)
    refused(await cli(['init', '--baseline', '--force'], dir), '--baseline .stackopt-baseline.json: not a regular file (a FIFO); nothing was written');
    expect(lstatSync(join(dir, '.stackopt-baseline.json')).isFIFO()).toBe(true);
    unchanged();
    execFileSync('mkfifo', [join(dir, '.stackopt.yaml')]);
    refused(await cli(['init', '--force'], dir), '.stackopt.yaml is a FIFO, not a regular file: init replaces only a file; nothing was written');
    refused(await cli(['init'], dir), '.stackopt.yaml is a FIFO, not a regular file: init replaces only a file; nothing was written');
    expect(lstatSync(join(dir, '.stackopt.yaml')).isFIFO()).toBe(true);
    const folder = await repository({}, { 'compose.yaml': COMPOSE, '.stackopt.yaml/x': '' });
    refused(await cli(['init', '--force'], folder), '.stackopt.yaml is a directory, not a regular file: init replaces only a file; nothing was written');
    const device = await repository({}, { 'compose.yaml': COMPOSE });
    symlinkSync('/dev/null', join(device, '.stackopt.yaml'));
    refused(await cli(['init', '--force'], device), '.stackopt.yaml is a character device, not a regular file: init replaces only a file; nothing was written');
    expect(lstatSync(join(device, '.stackopt.yaml')).isSymbolicLink()).toBe(true);
  });
});
