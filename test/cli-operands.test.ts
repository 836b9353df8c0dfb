/**
 * `stackopt lint PATH...` without options runs without commander (src/cli/program.ts, OperandsOnly;
 * the lint bundle then neither loads nor builds it): what it prints, its errors and exit codes are
 * those of the same lint parsed by commander.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINT_DEFAULTS, registerLint } from '../src/cli/lint-command.js';
import { buildProgramOf } from '../src/cli/program.js';
import type { GlobalContext } from '../src/cli/shared.js';
import { assertBuilt, runCli, tempProject } from './helpers/cli.js';

describe('lint with operands only', () => {
  it('commander hands the lint action the paths and LINT_DEFAULTS when no option is given', async () => {
    const out: string[] = [];
    const g: GlobalContext = { version: '0.0.0', stdout: (t) => out.push(t), stderr: (l) => out.push(l), isTTY: false, exitCode: 0, debug: false };
    for (const paths of [['compose.yaml'], ['a.yml', 'dir', 'help'], ['lint']]) {
      const argv = ['lint', ...paths];
      const program = buildProgramOf([['lint', registerLint]], g, argv);
      let got: unknown;
      // the registered command, its action replaced: what commander would hand runLint
      program.commands[0]!.action((p: string[], opts: unknown) => {
        got = { paths: p, opts };
      });
      await program.parseAsync(argv, { from: 'user' });
      expect(got).toEqual({ paths, opts: { ...LINT_DEFAULTS } });
    }
    expect(out).toEqual([]);
  });

  describe('the CLI: the same run as commander parsing an explicit default', () => {
    const p = tempProject({
      'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n',
      'compose.override.yaml': 'services:\n  web:\n    privileged: true\n',
      'stack.yml': 'version: "3.8"\nservices:\n  api:\n    image: api:latest\n    deploy:\n      replicas: 2\n',
      'bad.yml': 'services:\n  web: [\n',
      'sub/docker-compose.yml': 'services:\n  db:\n    image: postgres\n',
      'empty/README.md': 'no compose files here\n',
    });
    beforeAll(() => assertBuilt());
    afterAll(() => p.cleanup());

    const cases = [['compose.yaml'], ['stack.yml'], ['stack.yml', 'sub'], ['.'], ['bad.yml'], ['missing.yml'], ['empty'], ['help'], ['compose.override.yaml'], ['stack.yml', 'stack.yml']];
    it.each(cases.map((c) => [c.join(' '), c]))('lint %s', (_, paths) => {
      const plain = runCli(['lint', ...paths], p.dir);
      // --format stylish is the default: commander parses it, and the run is otherwise the same
      const parsed = runCli(['lint', '--format', 'stylish', ...paths], p.dir);
      expect(plain).toEqual(parsed);
      expect(plain.stderr).not.toMatch(/internal error/);
    });
  });
});
