import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jsonFindings, onlyRules, repoRoot, runCli, runCliAsync, tempProject, tempProjects } from './helpers/cli.js';

/**
 * What a hostile pull request can make stackopt read, print and write (docs/security.md), end to
 * end through `node bin/stackopt.js` on real files: the project boundary of referenced files,
 * values of variables kept out of every format, secrets masked in code frames and diffs, and the
 * files it writes (through links, owner and mode kept, -o onto an input, exclusive temporary files).
 */
beforeAll(assertBuilt);

const project = tempProjects();

const extendsOf = (file: string) => `services:\n  web:\n    image: nginx:1.25\n    extends:\n      file: ${file}\n      service: base\n`;
const EXTENDS_ONLY = onlyRules({ extends: 'error' });

describe('files a compose file points at stay inside the project', () => {
  const SECRET = 'top-secret-line-0451';

  it('extends.file outside the project, through "..", through a link, inside .git, or a special file: one error at the file value, content never shown', async () => {
    const outside = project({ 'creds.txt': `token: ${SECRET}\n`, 'base.yaml': `services:\n  base:\n    image: x\n    labels: {a: ${SECRET}}\n` });
    // in/ holds .git: it is a repository's root, where the search for a configuration stops
    const p = project({ 'in/.stackopt.yaml': EXTENDS_ONLY, 'in/.git/config': `[core]\n\tsecret = ${SECRET}\n`, 'in/notcompose.txt': `PASSWORD=${SECRET}\nmore ${SECRET}\n` });
    symlinkSync(join(outside.dir, 'creds.txt'), join(p.dir, 'in', 'link.yaml'));
    mkdirSync(join(p.dir, 'in', 'dir.yaml'));
    // a link whose target goes up from a linked folder: `..` is taken in the folder the link reaches
    // (outside), as the kernel and docker take it, not next to the link (where a decoy stands)
    mkdirSync(join(outside.dir, 'sub'));
    symlinkSync(join(outside.dir, 'sub'), join(p.dir, 'in', 'inner'));
    symlinkSync('inner/../base.yaml', join(p.dir, 'in', 'up.yaml'));
    p.write('in/base.yaml', 'services:\n  base:\n    image: decoy\n');
    const cases: Array<[string, string]> = [
      [join(outside.dir, 'base.yaml'), 'is not read: outside the project'],
      ['../../' + outside.dir.split('/').pop() + '/base.yaml', 'is not read: outside the project'],
      ['/etc/passwd', 'is not read: outside the project'],
      ['/proc/self/environ', 'is not read: outside the project'],
      ['link.yaml', `is not read: a symbolic link to ${join(outside.dir, 'creds.txt')}, which is outside the project`],
      ['.git/config', 'is not read: inside .git'],
      ['dir.yaml', 'is not read: not a regular file (a directory)'],
      ['notcompose.txt', 'is not a compose file: it does not parse as a YAML mapping (line 1, column 1); its content is not shown'],
      ['missing.yaml', 'cannot be read: no such file'],
      ['up.yaml', `is not read: a symbolic link to ${join(outside.dir, 'base.yaml')}, which is outside the project`],
    ];
    // one file per case, all linted by one run per format
    cases.forEach(([file], i) => p.write(`in/compose-${i}.yaml`, extendsOf(file)));
    const names = cases.map((_, i) => `in/compose-${i}.yaml`);
    const runs = Object.fromEntries(await Promise.all(['stylish', 'json', 'sarif'].map(async (format) => [format, await runCliAsync(['lint', ...names, '--format', format], p.dir)] as const)));
    for (const [format, r] of Object.entries(runs)) {
      expect(`${r.stdout}${r.stderr}`, format).not.toContain(SECRET);
      expect(r.status, format).toBe(1);
    }
    const findings = jsonFindings(runs.json!);
    cases.forEach(([file, why], i) => {
      expect(findings.filter((f) => f.file.endsWith(`compose-${i}.yaml`)), file).toEqual([
        expect.objectContaining({ ruleId: 'extends', severity: 'error', line: 5, column: 13, path: 'services.web.extends.file', message: expect.stringContaining(`extends.file "${file}" ${why}`) }),
      ]);
    });
    expect(findings).toHaveLength(cases.length);
  }, 300_000);

  it('special files are refused before they are opened: no hang on /dev/stdin, /dev/stdout or /proc/self/fd/1 with a pipe as output', async () => {
    const p = project({ '.stackopt.yaml': EXTENDS_ONLY });
    for (const file of ['/proc/self/fd/1', '/dev/stdout', '/dev/stdin', '/proc/self/fd/0']) {
      p.write('compose.yaml', extendsOf(file));
      // stdin and stdout are pipes that stay open (a writer that never writes, a reader that waits)
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'stackopt.js'), 'lint', 'compose.yaml', '--format', 'json'], { cwd: p.dir, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const status = await new Promise<number | null>((done) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          done(code);
        });
      });
      child.stdin.end();
      expect(status, file).toBe(1);
      const findings = JSON.parse(out).results[0].findings;
      expect(findings.map((f: { message: string }) => f.message)).toEqual([`extends.file "${file}" is not read: outside the project (the folders of the files named on the command line, and allowPaths in .stackopt.yaml)`]);
    }
  }, 300_000);

  it('a FIFO inside the project is refused (not a regular file), without waiting for a writer', () => {
    const p = project({ '.stackopt.yaml': EXTENDS_ONLY, 'compose.yaml': extendsOf('pipe.yaml') });
    expect(spawnSync('mkfifo', [join(p.dir, 'pipe.yaml')]).status).toBe(0);
    const r = runCli(['lint', 'compose.yaml', '--format', 'json'], p.dir);
    expect(jsonFindings(r).map((f) => f.message)).toEqual(['extends.file "pipe.yaml" is not read: not a regular file (a FIFO)']);
  });

  it('a file inside the project, and a folder allowed by allowPaths in .stackopt.yaml, are read', () => {
    const shared = project({ 'base.yaml': 'services:\n  base:\n    image: nginx:1.25\n    user: "1000"\n' });
    const p = project({ 'app/.stackopt.yaml': EXTENDS_ONLY, 'app/lib/base.yaml': 'services:\n  base:\n    image: x\n' });
    p.write('app/compose.yaml', extendsOf('lib/base.yaml'));
    expect(jsonFindings(runCli(['lint', 'compose.yaml', '--format', 'json'], join(p.dir, 'app')))).toEqual([]);
    p.write('app/compose.yaml', extendsOf(join(shared.dir, 'base.yaml')));
    expect(jsonFindings(runCli(['lint', 'compose.yaml', '--format', 'json'], join(p.dir, 'app'))).map((f) => f.ruleId)).toEqual(['extends']);
    p.write('app/.stackopt.yaml', `${EXTENDS_ONLY}allowPaths: [${JSON.stringify(shared.dir)}]\n`);
    const allowed = runCli(['lint', 'compose.yaml', '--format', 'json'], join(p.dir, 'app'));
    expect([allowed.status, allowed.stderr, jsonFindings(allowed)]).toEqual([0, '', []]);
    expect(JSON.parse(allowed.stdout).summary.files).toBe(1);
    // in a repository, its configuration may allow only paths of the repository (a pull request
    // could else open / and have any file read and quoted); --config reads one as given
    p.write('.git/HEAD', 'ref: refs/heads/main\n');
    const refused = runCli(['lint', 'compose.yaml', '--format', 'json'], join(p.dir, 'app'));
    expect([refused.status, refused.stderr]).toEqual([2, `stackopt: .stackopt.yaml: allowPaths names ${shared.dir}, which is outside its repository; a configuration found in a folder may allow only paths of its repository (name it with --config to allow more)\n`]);
    const named = runCli(['lint', 'compose.yaml', '--format', 'json', '--config', '.stackopt.yaml'], join(p.dir, 'app'));
    expect([named.status, jsonFindings(named)]).toEqual([0, []]);
    // a path of the repository is allowed (the file outside is then refused by extends alone)
    p.write('app/.stackopt.yaml', `${EXTENDS_ONLY}allowPaths: [lib]\n`);
    const inside = runCli(['lint', 'compose.yaml', '--format', 'json'], join(p.dir, 'app'));
    expect([inside.status, inside.stderr, jsonFindings(inside).map((f) => f.ruleId)]).toEqual([1, '', ['extends']]);
  });

  it('a compose file found in a folder searched that links out of the folder is not read: a line naming it, exit 2', () => {
    const outside = project({ 'creds.yaml': `services: {x: {image: ${SECRET}}}\n` });
    const p = project({ '.stackopt.yaml': onlyRules({ 'image-tag-pinned': 'warning' }), 'deploy/compose.yaml': 'services:\n  web:\n    image: nginx:1.25\n' });
    symlinkSync(join(outside.dir, 'creds.yaml'), join(p.dir, 'deploy', 'docker-compose.yml'));
    symlinkSync('compose.yaml', join(p.dir, 'deploy', 'stack.yml'));
    const r = runCli(['lint', 'deploy', '--format', 'json'], p.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`stackopt: deploy/docker-compose.yml is not read: a symbolic link to ${join(outside.dir, 'creds.yaml')}, which is outside deploy, the folder searched\n`);
    expect(JSON.parse(r.stdout).results.map((x: { file: string }) => x.file)).toEqual(['deploy/compose.yaml', 'deploy/stack.yml']);
    expect(r.stdout).not.toContain(SECRET);
  });

  it('an override beside a named file that links out of its folder is not merged: a line naming it, exit 2', () => {
    const outside = project({ 'creds.yaml': `services:\n  web:\n    environment: {TOKEN: ${SECRET}}\n` });
    const p = project({ '.stackopt.yaml': onlyRules({ 'image-tag-pinned': 'warning' }), 'deploy/compose.yaml': 'services:\n  web:\n    image: nginx:1.25\n' });
    symlinkSync(join(outside.dir, 'creds.yaml'), join(p.dir, 'deploy', 'compose.override.yaml'));
    const r = runCli(['lint', 'deploy/compose.yaml', '--format', 'json'], p.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`stackopt: deploy/compose.override.yaml is not read: a symbolic link to ${join(outside.dir, 'creds.yaml')}, which is outside deploy, the folder of the file named\n`);
    expect(JSON.parse(r.stdout).results.map((x: { file: string }) => x.file)).toEqual(['deploy/compose.yaml']);
    expect(r.stdout).not.toContain(SECRET);
  });

  it('a symlinked .env to a file outside the project is an error naming it; a .env that is no KEY=VALUE file is never quoted', () => {
    const outside = project({ 'id_rsa': `-----BEGIN KEY-----\n${SECRET}\n` });
    const p = project({ '.stackopt.yaml': EXTENDS_ONLY, 'compose.yaml': 'services:\n  web:\n    image: "nginx:${TAG:-1.25}"\n' });
    symlinkSync(join(outside.dir, 'id_rsa'), join(p.dir, '.env'));
    let r = runCli(['lint', 'compose.yaml'], p.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`stackopt: .env: cannot read env file: a symbolic link to ${join(outside.dir, 'id_rsa')}, which is outside the project (the folders of the files named on the command line, and allowPaths in .stackopt.yaml)\n`);
    // a key's base64 line (`+`, `/`) is no line compose reads either (its first line, dashes and
    // words, reads as a variable's name, as compose's dotenv parser reads it)
    p.write('key.pem', `-----BEGIN KEY-----\nMIIB+${SECRET}/x\n`);
    rmSync(join(p.dir, '.env'));
    symlinkSync('key.pem', join(p.dir, '.env'));
    r = runCli(['lint', 'compose.yaml'], p.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('stackopt: .env:2:1: not a KEY=VALUE line: a variable name is letters, digits, "_", ".", "-", "[" or "]" (the line is not shown)\n');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });
});

describe('what the repository\'s configuration brings in stays in the repository', () => {
  const SECRET = 'top-secret-line-0451';
  const COMPOSE = 'services:\n  web:\n    image: nginx:1.27\n';

  it('a .stackopt.yaml found in a folder that links out of the repository is not read (its lines would be quoted in errors)', () => {
    const outside = project({ 'shadow': `root:${SECRET}:20228:0:99999:7:::\ntarget: ${SECRET}\n`, 'shared.yaml': 'rules: {}\n' });
    const p = project({ 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/app/compose.yaml': COMPOSE, 'repo/shared.yaml': 'rules: {}\n' });
    symlinkSync(join(outside.dir, 'shadow'), join(p.dir, 'repo', 'app', '.stackopt.yaml'));
    const r = runCli(['lint', 'app/compose.yaml'], join(p.dir, 'repo'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('stackopt: app/.stackopt.yaml: it is a link to a file outside its repository, which a configuration found in a folder is not read from; make it a file of its own there, or name it with --config\n');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    // nor one whose `..` comes after a link out of it (`inner/../shadow`, inner linking outside):
    // judged where the kernel takes it, not next to the link
    rmSync(join(p.dir, 'repo', 'app', '.stackopt.yaml'));
    mkdirSync(join(outside.dir, 'sub'));
    symlinkSync(join(outside.dir, 'sub'), join(p.dir, 'repo', 'app', 'inner'));
    symlinkSync('inner/../shadow', join(p.dir, 'repo', 'app', '.stackopt.yaml'));
    const dotdot = runCli(['lint', 'app/compose.yaml'], join(p.dir, 'repo'));
    expect([dotdot.status, dotdot.stderr]).toEqual([2, 'stackopt: app/.stackopt.yaml: it is a link to a file outside its repository, which a configuration found in a folder is not read from; make it a file of its own there, or name it with --config\n']);
    // a link inside the repository is read; --config names any file, read as given
    rmSync(join(p.dir, 'repo', 'app', '.stackopt.yaml'));
    symlinkSync('../shared.yaml', join(p.dir, 'repo', 'app', '.stackopt.yaml'));
    expect(runCli(['lint', 'app/compose.yaml'], join(p.dir, 'repo')).status).toBe(1);
    expect(runCli(['lint', '--config', join(outside.dir, 'shared.yaml'), 'app/compose.yaml'], join(p.dir, 'repo')).status).toBe(1);
  });

  it('a link to a file of the same repository is read: from a submodule (its .git a file) to the superproject, or, without .git, within the working directory', () => {
    const p = project({ 'super/.git/HEAD': 'ref: refs/heads/main\n', 'super/shared/stackopt.yaml': 'rules:\n  image-tag-pinned: off\n', 'super/sub/.git': 'gitdir: ../.git/modules/sub\n', 'super/sub/compose.yaml': 'services:\n  web:\n    image: nginx\n' });
    symlinkSync('../shared/stackopt.yaml', join(p.dir, 'super', 'sub', '.stackopt.yaml'));
    const sub = runCli(['lint', '--format', 'json', 'compose.yaml'], join(p.dir, 'super', 'sub'));
    expect(sub.status).toBe(1);
    expect(sub.stdout).not.toContain('image-tag-pinned');
    const t = project({ 'tree/shared/stackopt.yaml': 'rules:\n  image-tag-pinned: off\n', 'tree/app/compose.yaml': 'services:\n  web:\n    image: nginx\n' });
    symlinkSync('../shared/stackopt.yaml', join(t.dir, 'tree', 'app', '.stackopt.yaml'));
    const top = runCli(['lint', '--format', 'json', 'app/compose.yaml'], join(t.dir, 'tree'));
    expect(top.status).toBe(1);
    expect(top.stdout).not.toContain('image-tag-pinned');
    // linted from inside app/, the link leads out of the working directory: refused
    const inside = runCli(['lint', 'compose.yaml'], join(t.dir, 'tree', 'app'));
    expect([inside.status, inside.stderr]).toEqual([2, 'stackopt: .stackopt.yaml: it is a link to a file outside the working directory, which a configuration found in a folder is not read from; make it a file of its own there, or name it with --config\n']);
  });

  it('a .gitignore that links out of the repository is not read (a line that is not a pattern would be quoted)', () => {
    const outside = project({ 'shadow': `root:${SECRET}:1\n[${SECRET}\n` });
    const p = project({ 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/app/compose.yaml': COMPOSE });
    symlinkSync(join(outside.dir, 'shadow'), join(p.dir, 'repo', 'app', '.gitignore'));
    const r = runCli(['lint', 'app'], join(p.dir, 'repo'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('stackopt: warning: app/.gitignore: a link to a file outside its repository; its patterns do not apply\n');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('the baseline a configuration names is a regular file of its repository: not a file outside, a device or standard input', () => {
    const outside = project({ 'base.json': `{"version": 1, "${SECRET}": 1}\n` });
    const p = project({ 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/compose.yaml': COMPOSE });
    for (const [where, why] of [
      [join(outside.dir, 'base.json'), `outside ., the repository of .stackopt.yaml`],
      ['/etc/passwd', 'outside ., the repository of .stackopt.yaml'],
      ['/dev/stdin', 'outside ., the repository of .stackopt.yaml'],
    ] as const) {
      p.write('repo/.stackopt.yaml', `baseline: ${where}\n`);
      // read as given, /dev/stdin would wait for standard input (a pipe a CI step may hold open)
      const r = runCli(['lint', 'compose.yaml'], join(p.dir, 'repo'));
      expect(r.status, where).toBe(2);
      expect(r.stderr, where).toBe(`stackopt: cannot read baseline ${where} (the baseline of .stackopt.yaml): ${why}\n`);
    }
  });
});

describe('files another user left in a folder anyone may write to (as /tmp) do not apply', () => {
  // the shared folder: mode 1777 as /tmp; the files chowned to another user (the suite runs as root,
  // as CI does: chown needs it)
  const shared = (files: Record<string, string>, stranger: string[]) => {
    const p = project(files);
    chmodSync(join(p.dir, 'shared'), 0o1777);
    for (const f of stranger) chownSync(join(p.dir, 'shared', f), 4242, 4242);
    return p;
  };
  const UNPINNED = 'services:\n  web:\n    image: nginx\n';
  const QUIET = 'rules:\n  image-tag-pinned: off\n';

  it('a .stackopt.yaml found there is refused, naming its owner; yours or root\'s is read; --config reads it as given', () => {
    const p = shared({ 'shared/.stackopt.yaml': QUIET, 'shared/app/compose.yaml': UNPINNED }, ['.stackopt.yaml']);
    const app = join(p.dir, 'shared', 'app');
    const r = runCli(['lint', 'compose.yaml'], app);
    expect([r.status, r.stderr, r.stdout]).toEqual([2, `stackopt: ${join(p.dir, 'shared', '.stackopt.yaml')}: another user (uid 4242) owns it, in a folder anyone may write to; a configuration found there is not read: name it with --config to use it\n`, '']);
    // the same from an audit's search, which starts at the working directory
    expect(runCli(['audit', '--snapshot', 'missing.json'], app).stderr).toContain('shared/.stackopt.yaml: another user (uid 4242) owns it');
    expect(jsonFindings(runCli(['lint', '--config', '../.stackopt.yaml', '--format', 'json', 'compose.yaml'], app)).map((f) => f.ruleId)).not.toContain('image-tag-pinned');
    // a folder only its owner writes to: the file is read whoever owns it (a checkout made by another user)
    chmodSync(join(p.dir, 'shared'), 0o755);
    expect(jsonFindings(runCli(['lint', '--format', 'json', 'compose.yaml'], app)).map((f) => f.ruleId)).not.toContain('image-tag-pinned');
    chmodSync(join(p.dir, 'shared'), 0o1777);
    chownSync(join(p.dir, 'shared', '.stackopt.yaml'), process.getuid!(), process.getgid!());
    expect(jsonFindings(runCli(['lint', '--format', 'json', 'compose.yaml'], app)).map((f) => f.ruleId)).not.toContain('image-tag-pinned');
    chownSync(join(p.dir, 'shared', '.stackopt.yaml'), 0, 0);
    expect(runCli(['lint', 'compose.yaml'], app).status).toBe(1);
    // without it, the rule that it turned off reports
    rmSync(join(p.dir, 'shared', '.stackopt.yaml'));
    expect(jsonFindings(runCli(['lint', '--format', 'json', 'compose.yaml'], app)).map((f) => f.ruleId)).toContain('image-tag-pinned');
  });

  it('a .gitignore found there does not hide files from a folder\'s lint: a warning says why', () => {
    const p = shared({ 'shared/.stackopt.yaml': QUIET, 'shared/.gitignore': 'app/\n', 'shared/app/compose.yaml': UNPINNED }, ['.gitignore']);
    const r = runCli(['lint', '--format', 'json', 'shared'], p.dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('stackopt: warning: shared/.gitignore: another user (uid 4242) owns it, in a folder anyone may write to; its patterns do not apply\n');
    expect(JSON.parse(r.stdout).results.map((x: { file: string }) => x.file)).toEqual(['shared/app/compose.yaml']);
    // the user's own .gitignore there applies
    chownSync(join(p.dir, 'shared', '.gitignore'), process.getuid!(), process.getgid!());
    const mine = runCli(['lint', '--format', 'json', 'shared'], p.dir);
    expect([mine.status, mine.stderr]).toEqual([2, expect.stringMatching(/^stackopt: shared: no compose files found/)]);
  });
});

describe('control characters of a file, a file name or the engine never reach the terminal raw', () => {
  it('they are written out in messages, error lines and file names, and replaced in code frames', () => {
    // written as YAML escapes: the value holds the characters
    const p = project({ 'compose.yaml': 'services:\n  web:\n    image: "busy\\e[2J\\e[31mbox"\n', 'raw.yaml': 'services:\n  web:\n    image: nginx:1.27 # \u001b[2J\n' });
    for (const format of ['stylish', 'compact', 'github', 'junit']) {
      const r = runCli(['lint', '--format', format, 'compose.yaml'], p.dir);
      expect(r.status, format).toBe(1);
      expect(r.stdout + r.stderr, format).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(r.stdout, format).toContain('busy\\x1b[2J\\x1b[31mbox');
    }
    // written raw in the file: YAML allows none (docker refuses the file), one error at it
    const raw = runCli(['lint', '--format', 'compact', 'raw.yaml'], p.dir);
    expect([raw.status, raw.stdout]).toEqual([1, 'raw.yaml:3:25: error a control character (U+001B) is in the file, and YAML allows none (docker: "control characters are not allowed"); remove it or write it as an escape in a double-quoted string ("\\e") [yaml-syntax]\n']);
    // a file name with an escape and a line break: one line, written out, in reports and fix summaries
    p.write('st\u001b]0;owned\u0007\nack.yml', 'services:\n  "w\\e[1m":\n    image: nginx\n');
    const odd = 'st\u001b]0;owned\u0007\nack.yml';
    for (const r of [runCli(['lint', '--format', 'compact', odd], p.dir), runCli(['lint', odd], p.dir), runCli(['fix', '--unsafe', odd], p.dir)]) {
      expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(r.stdout + r.stderr).toContain('st\\x1b]0;owned\\x07\\x0aack.yml');
    }
    // and the fix summary of such a file that does not parse (its error names the file)
    p.write('bro\u001b[2Jken.yml', 'services:\n  web: [\n');
    const broken = runCli(['fix', 'bro\u001b[2Jken.yml'], p.dir);
    expect(broken.stdout + broken.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(broken.stdout + broken.stderr).toContain('not fixed, the file does not parse (bro\\x1b[2Jken.yml:');
    // stackopt resources, and the human audit report of names the engine gives
    p.write('res.yaml', 'services:\n  "w\\e[2Jeb":\n    image: nginx:1.27\n');
    const res = runCli(['resources', 'res.yaml'], p.dir);
    expect(res.stdout + res.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(res.stdout).toContain('w\\x1b[2Jeb');
    const snap = JSON.parse(readFileSync(join(repoRoot, 'fixtures/audit/single-node.json'), 'utf8')) as { nodes: Array<{ Description: { Hostname: string } }>; services: Array<{ Spec: { Name: string } }> };
    snap.nodes[0]!.Description.Hostname += '\u001b[31m';
    snap.services[0]!.Spec.Name += '\u001b[2J';
    p.write('snap.json', JSON.stringify(snap));
    const audit = runCli(['audit', '--snapshot', 'snap.json', '--no-color'], p.dir);
    expect(audit.stdout + audit.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(audit.stdout).toContain('\\x1b[2J');
    const named = runCli(['lint', 'x\u001b[2Jy.yml'], p.dir);
    expect([named.status, named.stderr]).toEqual([2, 'stackopt: x\\x1b[2Jy.yml: cannot read file: no such file\n']);
  });
});

describe('values of variables are never printed', () => {
  const MARK = { CI_TOKEN: 'ghp_MARKER7f3a9c', IMG: 'Registry.Example.com/Team/MARKERimg', REPL: 'MARKERrepl', MEM: 'MARKERmem99', PORT: 'MARKERport', MSG: 'MARKERmsg123' };
  const files = {
    '.env': 'DOTENV_SECRET=MARKERdotenv42\n',
    'compose.yaml': [
      'services:',
      '  api:',
      '    image: "registry/app:${CI_TOKEN}"',
      '    user: "${DOTENV_SECRET}"',
      '    deploy:',
      '      replicas: ${REPL}',
      '      resources:',
      '        limits:',
      '          memory: "${MEM}"',
      '    ports: ["${PORT}:80"]',
      '    environment:',
      '      NEED: "${UNSET_ONE:?set it, not ${MSG}}"',
      '  web:',
      '    image: "${IMG}"',
      '    privileged: "${DOTENV_SECRET}"',
      '  db:',
      '    image: "postgres:${PGTAG:-latest}"',
      '',
    ].join('\n'),
  };
  const markers = [...Object.values(MARK), 'MARKERdotenv42'];

  it('in no format, and not in fix summaries, --diff or --stdout headers; defaults written in the file are shown', () => {
    const p = project(files);
    const seen: string[] = [];
    for (const format of ['stylish', 'compact', 'json', 'sarif', 'github', 'junit', 'codeclimate', 'rdjson']) {
      const r = runCli(['lint', 'compose.yaml', '--format', format], p.dir, MARK);
      expect(r.status, format).toBe(1);
      seen.push(r.stdout + r.stderr);
    }
    for (const mode of [['--diff'], ['--check'], [], ['--unsafe', '--diff']]) {
      const r = runCli(['fix', 'compose.yaml', ...mode], p.dir, MARK);
      seen.push(r.stdout + r.stderr);
    }
    for (const text of seen) for (const m of markers) expect(text.toLowerCase()).not.toContain(m.toLowerCase());
    const stylish = seen[0]!;
    // values a variable set are shown as the file wrote them, short ones too
    expect(stylish).toContain('uses image "${IMG}" without a tag, which means latest and changes on every pull; pin a version tag (such as IMAGE:1.2.3)');
    expect(stylish).toContain('publishes port "${PORT}:80" on every interface of the host (docker bypasses the host firewall for it); bind it to an address, such as "127.0.0.1:${PORT}:80"');
    const short = runCli(['lint', 'compose.yaml', '--format', 'compact'], p.dir, { ...MARK, PORT: '7391' });
    expect(short.stdout).toContain('publishes port "${PORT}:80" on every interface');
    expect(short.stdout).not.toContain('7391');
    // a default written in the file is the file's own value: it is shown
    expect(stylish).toContain('uses image "postgres:${PGTAG:-latest}" ("postgres:latest")');
    // the message of a required variable is shown as written, not expanded
    expect(stylish).toContain('required variable UNSET_ONE is not set: set it, not ${MSG}');
  }, 300_000);

  it('short values too, where rules quote a name, a port, a duration, a limit or an image', () => {
    const p = project({
      'compose.yaml':
        'services:\n  web:\n    image: nginx:${TAG}\n    container_name: ${CN}\n    ports: ["${P}:80", "${P}:81"]\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: "${D}"\n      timeout: "${D}"\n    deploy:\n      replicas: 3\n      resources:\n        limits: {cpus: "${N}", memory: 1G}\n        reservations: {cpus: "40"}\n',
    });
    const env = { TAG: '1.25', CN: 'db-01', P: '54321', D: '1ms', N: '33' };
    const lint = runCli(['lint', 'compose.yaml', '--format', 'compact'], p.dir, env);
    const fix = runCli(['fix', 'compose.yaml', '--unsafe', '--stdout'], p.dir, env);
    for (const text of [lint.stdout, fix.stderr]) for (const v of Object.values(env)) expect(text).not.toMatch(new RegExp(`[^0-9a-z.]${v.replace('.', '\\.')}(?![0-9a-z])`));
    for (const shown of ['container_name "${CN}"', 'port "${P}:81"', 'every ${D} (interval)', 'timeout of ${D} that is not below its interval of ${D}', 'limited to ${N}']) expect(lint.stdout).toContain(shown);
    expect(fix.stderr).toContain('(what image "nginx:${TAG}" needs to start)');
  });
});

describe('secret values are masked where source lines are printed', () => {
  const SECRET = 'hunter2-not-for-logs';

  it('the stylish code frame shows **** for the value; the underline still points at the key', () => {
    const p = project({ '.stackopt.yaml': onlyRules({ 'secrets-in-environment': 'warning' }), 'compose.yaml': `services:\n  web:\n    image: nginx:1.25\n    environment:\n      DB_PASSWORD: ${SECRET} # db\n  api:\n    image: nginx:1.25\n    environment:\n      - API_TOKEN=${SECRET}\n` });
    const r = runCli(['lint', 'compose.yaml'], p.dir);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stdout).toContain('    5 |       DB_PASSWORD: **** # db\n      |       ^~~~~~~~~~~\n');
    expect(r.stdout).toContain('    9 |       - API_TOKEN=****\n      |         ^~~~~~~~~\n');
  });

  it('fix --diff masks the value in context lines and says that such a hunk does not apply', () => {
    const p = project({ '.stackopt.yaml': onlyRules({ 'secrets-in-environment': 'warning', 'no-new-privileges': 'warning' }), 'compose.yaml': `services:\n  web:\n    image: nginx:1.25\n    environment:\n      DB_PASSWORD: ${SECRET}\n` });
    const r = runCli(['fix', 'compose.yaml', '--diff'], p.dir);
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout).toBe(
      '--- a/compose.yaml\n+++ b/compose.yaml\n@@ -2,4 +2,6 @@\n   web:\n     image: nginx:1.25\n     environment:\n       DB_PASSWORD: ****\n+    security_opt:\n+      - no-new-privileges:true\n',
    );
    expect(r.stderr).toContain('values that look like secrets are shown as **** in the diff; a hunk holding one does not apply');
  });

  it('a diff whose hunks hold no secret is printed unmasked, without the note', () => {
    const body = `services:\n  web:\n    image: nginx:1.25\n    environment:\n      DB_PASSWORD: ${SECRET}\n    hostname: web\n    domainname: example\n    stop_signal: SIGTERM\n    working_dir: /srv\n`;
    const p = project({ '.stackopt.yaml': onlyRules({ 'secrets-in-environment': 'warning', 'no-new-privileges': 'warning' }), 'compose.yaml': body });
    const r = runCli(['fix', 'compose.yaml', '--diff'], p.dir);
    expect(r.stdout).not.toContain('****');
    expect(r.stderr).not.toContain('shown as ****');
  });
});

describe('files it writes', () => {
  const INPUT = 'services:\n  web:\n    image: nginx:1.25\n';
  const RULES = onlyRules({ 'no-new-privileges': 'warning' });

  it('--in-place on a symbolic link writes through to its file: the link stays, the file keeps owner and mode', () => {
    const p = project({ '.stackopt.yaml': RULES, 'real/compose.yaml': INPUT });
    symlinkSync('real/compose.yaml', join(p.dir, 'compose.yaml'));
    const real = join(p.dir, 'real', 'compose.yaml');
    chmodSync(real, 0o640);
    chownSync(real, 4321, 4322);
    const r = runCli(['fix', 'compose.yaml', '--in-place'], p.dir);
    expect(r.status).toBe(0);
    expect(lstatSync(join(p.dir, 'compose.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('no-new-privileges:true');
    const st = statSync(real);
    expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o640, 4321, 4322]);
  });

  it('-o naming the input, by its own path or through another (a link, ./), is refused and writes nothing', () => {
    const p = project({ '.stackopt.yaml': RULES, 'compose.yaml': INPUT });
    symlinkSync('compose.yaml', join(p.dir, 'alias.yaml'));
    for (const out of ['compose.yaml', './compose.yaml', 'alias.yaml', join(p.dir, 'compose.yaml')]) {
      const r = runCli(['fix', 'compose.yaml', '-o', out], p.dir);
      expect(r.status, out).toBe(2);
      expect(r.stderr, out).toContain(`stackopt: -o ${out} is the input file compose.yaml; nothing was written (to overwrite the input, use --in-place)`);
      expect(readFileSync(join(p.dir, 'compose.yaml'), 'utf8')).toBe(INPUT);
    }
    expect(runCli(['fix', 'compose.yaml', '-o', 'other.yaml'], p.dir).status).toBe(0);
  }, 300_000);

  it('-o and --write-baseline never name a file the project reads: its .env, a file extends names, the compose file, its configuration', () => {
    const files = { '.stackopt.yaml': 'rules: {}\n', '.env': 'A=1\n', 'base.yaml': 'services:\n  base:\n    image: nginx:1.27\n', 'c.yml': 'services:\n  web:\n    extends: {file: base.yaml, service: base}\n' };
    const p = project(files);
    for (const [args, line] of [
      [['lint', 'c.yml', '--write-baseline', 'c.yml'], 'stackopt: --write-baseline c.yml is c.yml, a file the project reads; nothing was written'],
      [['lint', 'c.yml', '--write-baseline', 'base.yaml'], 'stackopt: --write-baseline base.yaml is base.yaml, a file the project reads; nothing was written'],
      [['lint', 'c.yml', '-o', '.env'], 'stackopt: -o .env is .env, a file the project reads; the report was not written'],
      [['fix', 'c.yml', '-o', 'base.yaml'], 'stackopt: -o base.yaml is base.yaml, a file the project reads; nothing was written'],
      [['fix', 'c.yml', '-o', './.env'], 'stackopt: -o ./.env is .env, a file the project reads; nothing was written'],
      [['lint', 'c.yml', '--write-baseline', '.stackopt.yaml'], 'stackopt: --write-baseline .stackopt.yaml is .stackopt.yaml, a file the project reads; nothing was written'],
      [['lint', 'c.yml', '-o', '.stackopt.yaml'], 'stackopt: -o .stackopt.yaml is .stackopt.yaml, a file the project reads; the report was not written'],
      [['fix', 'c.yml', '-o', '.stackopt.yaml'], 'stackopt: -o .stackopt.yaml is .stackopt.yaml, a file the project reads; nothing was written'],
    ] as const) {
      const r = runCli([...args], p.dir);
      expect([r.status, r.stderr.trim()], args.join(' ')).toEqual([2, line]);
    }
    for (const [name, text] of Object.entries(files)) expect(readFileSync(join(p.dir, name), 'utf8'), name).toBe(text);
  });

  it('-o, --write-baseline and init --baseline never replace an input that could not be read', () => {
    const bad = Buffer.from('services:\n  web:\n    image: nginx\xff\n', 'latin1');
    const p = project({});
    writeFileSync(join(p.dir, 'compose.yaml'), bad);
    const unreadable = 'stackopt: compose.yaml:3:17: cannot read file: not UTF-8 text (a byte 0xff that starts no UTF-8 character there)';
    for (const [args, line] of [
      [['lint', '--write-baseline', 'compose.yaml'], 'stackopt: --write-baseline compose.yaml is compose.yaml, a file the project reads; nothing was written'],
      [['lint', '--format', 'json', '-o', 'compose.yaml'], 'stackopt: -o compose.yaml is compose.yaml, a file the project reads; the report was not written'],
      [['init', '--baseline', 'compose.yaml', '--force'], 'stackopt: --baseline compose.yaml is compose.yaml, a file the project reads; nothing was written'],
    ] as const) {
      const r = runCli([...args], p.dir);
      expect([r.status, r.stderr], args.join(' ')).toEqual([2, `${unreadable}\n${line}\n`]);
      expect(readFileSync(join(p.dir, 'compose.yaml')).equals(bad), args.join(' ')).toBe(true);
    }
  });

  it('-o never replaces a baseline: the one the configuration names, --baseline, --write-baseline', () => {
    const p = project({ '.stackopt.yaml': 'baseline: b.json\n', 'c.yml': 'services:\n  web:\n    image: nginx\n' });
    expect(runCli(['lint', 'c.yml', '--write-baseline', 'b.json'], p.dir).status).toBe(0);
    writeFileSync(join(p.dir, 'other.json'), readFileSync(join(p.dir, 'b.json')));
    const baseline = readFileSync(join(p.dir, 'b.json'), 'utf8');
    for (const [args, line] of [
      [['lint', 'c.yml', '-o', 'b.json'], 'stackopt: -o b.json is b.json, the baseline .stackopt.yaml names; the report was not written'],
      [['lint', 'c.yml', '--format', 'json', '-o', './b.json'], 'stackopt: -o ./b.json is b.json, the baseline .stackopt.yaml names; the report was not written'],
      [['fix', 'c.yml', '-o', 'b.json'], 'stackopt: -o b.json is b.json, the baseline .stackopt.yaml names; nothing was written'],
      [['lint', 'c.yml', '--baseline', 'other.json', '-o', 'other.json'], 'stackopt: -o other.json is the --baseline file; the report was not written'],
      [['lint', 'c.yml', '--write-baseline', 'new.json', '-o', 'new.json'], 'stackopt: -o new.json is the --write-baseline file; the report was not written'],
    ] as const) {
      const r = runCli([...args], p.dir);
      expect([r.status, r.stderr.trim().split('\n').at(-1)], args.join(' ')).toEqual([2, line]);
    }
    expect(readFileSync(join(p.dir, 'b.json'), 'utf8')).toBe(baseline);
    expect(readFileSync(join(p.dir, 'other.json'), 'utf8')).toBe(baseline);
    // the baseline --write-baseline wrote is kept, not replaced by the report
    expect(JSON.parse(readFileSync(join(p.dir, 'new.json'), 'utf8')).stackopt).toBe('baseline');
  });

  it('a symbolic link planted at <file>.optimized is replaced, never followed', () => {
    const victim = project({ 'victim.txt': 'keep me\n' });
    const p = project({ '.stackopt.yaml': RULES, 'compose.yaml': INPUT });
    symlinkSync(join(victim.dir, 'victim.txt'), join(p.dir, 'compose.yaml.optimized'));
    expect(runCli(['fix', 'compose.yaml'], p.dir).status).toBe(0);
    expect(readFileSync(join(victim.dir, 'victim.txt'), 'utf8')).toBe('keep me\n');
    expect(lstatSync(join(p.dir, 'compose.yaml.optimized')).isFile()).toBe(true);
  });

  it('lint -o replaces a symbolic link planted at the report name, writes to a device as it is, and refuses an input', () => {
    const victim = project({ 'victim.txt': 'keep me\n' });
    const p = project({ '.stackopt.yaml': RULES, 'compose.yaml': INPUT });
    symlinkSync(join(victim.dir, 'victim.txt'), join(p.dir, 'report.sarif'));
    expect(runCli(['lint', 'compose.yaml', '--format', 'sarif', '-o', 'report.sarif'], p.dir).status).toBe(0);
    expect(readFileSync(join(victim.dir, 'victim.txt'), 'utf8')).toBe('keep me\n');
    expect(JSON.parse(readFileSync(join(p.dir, 'report.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(runCli(['lint', 'compose.yaml', '-o', '/dev/null'], p.dir).status).toBe(0);
    const r = runCli(['lint', 'compose.yaml', '-o', './compose.yaml'], p.dir);
    expect([r.status, r.stderr]).toEqual([2, 'stackopt: -o ./compose.yaml is the input file compose.yaml; the report was not written\n']);
    expect(readFileSync(join(p.dir, 'compose.yaml'), 'utf8')).toBe(INPUT);
  });

  it('saveSnapshot creates its temporary file exclusively, does not follow a link at the old temporary name, and writes mode 0600', async () => {
    const { saveSnapshot } = await import('../src/audit/snapshot.js');
    const victim = project({ 'victim.txt': 'keep me\n' });
    const p = project({});
    const path = join(p.dir, 'swarm.json');
    // the temporary name the old code used, planted as a link (a link at the target itself is
    // written through, as `fix --in-place` does: test/audit-robustness.test.ts)
    symlinkSync(join(victim.dir, 'victim.txt'), `${path}.tmp-${process.pid}`);
    writeFileSync(join(victim.dir, 'victim.txt'), 'keep me\n');
    saveSnapshot(path, { format: 'stackopt-swarm-snapshot', version: 1, takenAt: new Date(0).toISOString(), engine: '', info: {}, nodes: [], services: [], tasks: [] } as never);
    expect(readFileSync(join(victim.dir, 'victim.txt'), 'utf8')).toBe('keep me\n');
    const st = lstatSync(path);
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });
});
