import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, repoRoot, runCli } from './helpers/cli.js';

/**
 * The README's worked example is real output: each `$ stackopt ...` block of the section is run
 * (from the repository root) and must print exactly what the README shows, so the docs cannot drift.
 */
beforeAll(assertBuilt);
afterEach(() => new Promise<void>((done) => setImmediate(done)));

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const section = /## Worked example: measure, see the ledger, fix\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';

/** The `console` blocks: the command after `$ ` and the output below it. */
const blocks = [...section.matchAll(/```console\n\$ (.*)\n([\s\S]*?)```/g)].map((m) => ({ command: m[1]!, output: m[2]! }));

describe('README worked example', () => {
  it('has the ledger and the fix', () => {
    expect(blocks.map((b) => b.command.split(' ').slice(0, 2).join(' '))).toEqual(['stackopt resources', 'stackopt fix']);
    expect(section).toContain('stackopt usage record --stack monitoring');
  });

  for (const b of blocks) {
    it(b.command, () => {
      const r = runCli(b.command.split(' ').slice(1), repoRoot);
      expect(r.stdout).toBe(b.output);
      if (b.command.includes(' fix ')) {
        // the summary's totals line, as the README quotes it
        const quoted = /\n(  resources {2}.*)\n/.exec(section)![1]!;
        expect(r.stderr.split('\n')).toContain(quoted);
      }
    });
  }

  it('documents every flag of stackopt resources', () => {
    const flags = /### `stackopt resources \[paths\.\.\.\]`([\s\S]*?)\n### /.exec(readme)?.[1] ?? '';
    for (const flag of ['-f, --file', '--env-file', '--usage', '--preset', '--format', '--nodes', '--node-cpus', '--node-memory', '--snapshot', '--stack', '--price-cpu-hour', '--price-gib-hour', '-c, --config', '--target', '--no-color']) {
      expect(flags, flag).toContain(`\`${flag}`);
    }
    const help = runCli(['resources', '--help'], repoRoot).stdout;
    for (const opt of help.matchAll(/^ {2}(-\w, )?(--[\w-]+)/gm)) if (opt[2] !== '--help') expect(flags, opt[2]).toContain(opt[2]!);
  });
});
