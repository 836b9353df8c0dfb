import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, onlyRules, runCli, tempProject } from './helpers/cli.js';

/** Hostile ignore patterns at the CLI: one line with file:line:col, never an internal error. */
assertBuilt();

describe('ignore patterns from a pull request', () => {
  const p = tempProject({
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.stackopt.yaml': onlyRules({ 'no-privileged': 'error' }),
    '.gitignore': `# generated\n${'x'.repeat(50_000)}\nstack-[z-a].yml\nbuild/\n`,
    'compose.yaml': 'services:\n  app:\n    image: nginx:1.27\n',
    'build/stack.yml': 'services:\n  app:\n    image: nginx:1.27\n    privileged: true\n',
  });
  afterAll(() => p.cleanup());

  it('warns about each bad .gitignore line at its place and keeps the others', () => {
    const r = runCli(['lint', '.'], p.dir);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'stackopt: warning: .gitignore:2:4097: not a pattern, the line is skipped: the pattern is 50000 characters long; at most 4096 are read',
      'stackopt: warning: .gitignore:3:8: not a pattern, the line is skipped: the range z-a in [z-a] runs backwards; write it a-z',
    ]);
    // build/ is still ignored: its privileged service is not linted
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('build');
  });

  it('refuses a configuration ignore pattern that is not one, at its line', () => {
    p.write('.stackopt.yaml', `${onlyRules({ 'no-privileged': 'error' })}ignore:\n  - "*.local.yml"\n  - "[z-a]"\n`);
    const r = runCli(['lint', '.'], p.dir);
    expect(r.status).toBe(2);
    const line = r.stderr.split('\n').find((l) => l.includes('ignore[1]'));
    expect(line).toMatch(/^stackopt: invalid configuration: \.stackopt\.yaml:\d+:5: ignore\[1\] "\[z-a\]" is not a pattern: the range z-a in \[z-a\] runs backwards; write it a-z$/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
