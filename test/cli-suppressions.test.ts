import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jsonFindings, onlyRules, runCli, tempProject } from './helpers/cli.js';

/**
 * Inline suppressions end to end: `# stackopt-disable-next-line`, `# stackopt-disable-line`,
 * `# stackopt-disable-file`, `x-stackopt: {disable: [...]}` at the top level and on a service, and
 * the `unused-suppression` reports, through `node bin/stackopt.js lint --format json`.
 * Only healthcheck-required, non-root-user, unused-suppression (and schema) run, via the config.
 */
const CONFIG = onlyRules({ 'healthcheck-required': 'warning', 'non-root-user': 'warning', 'unused-suppression': 'warning', schema: 'error' });
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));
beforeAll(assertBuilt);

function lint(compose: string, config = CONFIG) {
  const p = tempProject({ '.stackopt.yaml': config, 'compose.yaml': compose });
  cleanups.push(p.cleanup);
  const run = runCli(['lint', '--format', 'json', 'compose.yaml'], p.dir);
  expect(run.stderr).toBe('');
  return { run, findings: jsonFindings(run).map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.service ?? '-'}`) };
}

const BASE = `services:
  web:
    image: nginx:1.27
  worker:
    image: myorg/app:12
`;

describe('suppressions (CLI)', () => {
  it('without suppressions every service has both findings', () => {
    expect(lint(BASE).findings).toEqual([
      '2:3 healthcheck-required web',
      '2:3 non-root-user web',
      '4:3 healthcheck-required worker',
      '4:3 non-root-user worker',
    ]);
  });

  it('# stackopt-disable-next-line rule-a, rule-b covers the next content line (blank and comment lines skipped)', () => {
    const { run, findings } = lint(`services:
  # stackopt-disable-next-line healthcheck-required, non-root-user -- web runs as nginx and is checked by the LB

  # (the directive above still applies)
  web:
    image: nginx:1.27
  worker:
    image: myorg/app:12
`);
    expect(findings).toEqual(['7:3 healthcheck-required worker', '7:3 non-root-user worker']);
    expect(run.status).toBe(0);
  });

  it('# stackopt-disable-line rule covers its own line only', () => {
    expect(
      lint(`services:
  web: # stackopt-disable-line healthcheck-required
    image: nginx:1.27
  worker:
    image: myorg/app:12
`).findings,
    ).toEqual(['2:3 non-root-user web', '4:3 healthcheck-required worker', '4:3 non-root-user worker']);
  });

  it('a directive without rule ids covers every rule', () => {
    expect(
      lint(`services:
  web:  # stackopt-disable-line
    image: nginx:1.27
  worker:
    image: myorg/app:12
`).findings,
    ).toEqual(['4:3 healthcheck-required worker', '4:3 non-root-user worker']);
  });

  it('# stackopt-disable-file rule covers the whole file', () => {
    expect(lint(`# stackopt-disable-file non-root-user\n${BASE}`).findings).toEqual(['3:3 healthcheck-required web', '5:3 healthcheck-required worker']);
  });

  it('x-stackopt: {disable: [...]} at the top level covers the project, and is no schema error', () => {
    expect(lint(`x-stackopt:\n  disable: [healthcheck-required]\n${BASE}`).findings).toEqual(['4:3 non-root-user web', '6:3 non-root-user worker']);
  });

  it('x-stackopt: {disable: [...]} on a service covers that service', () => {
    expect(
      lint(`services:
  web:
    image: nginx:1.27
  worker:
    image: myorg/app:12
    x-stackopt:
      disable:
        - non-root-user
        - healthcheck-required
`).findings,
    ).toEqual(['2:3 healthcheck-required web', '2:3 non-root-user web']);
  });

  it('an unused suppression is reported where its rule id is written', () => {
    const { run } = lint(`services:
  web:
    # stackopt-disable-next-line non-root-user
    image: nginx:1.27
    x-stackopt: {disable: [healthcheck-required]}
  worker:
    image: myorg/app:12
    x-stackopt: {disable: [non-root-user, healthcheck-required]}
`);
    const unused = jsonFindings(run).filter((f) => f.ruleId === 'unused-suppression');
    expect(unused.map((f) => [f.line, f.column, f.severity])).toEqual([[3, 34, 'warning']]);
    expect(unused[0]!.message).toBe('stackopt-disable-next-line suppresses "non-root-user" but no non-root-user finding is reported on line 4; remove it');
    expect(jsonFindings(run).filter((f) => f.ruleId !== 'unused-suppression').map((f) => `${f.ruleId} ${f.service}`)).toEqual(['non-root-user web']);
  });

  it('an unknown rule id and a misspelled directive are reported', () => {
    const { run } = lint(`# stackopt-disable-file healthcheck-requird
# stackopt-disable-nextline non-root-user
${BASE}`);
    const messages = jsonFindings(run)
      .filter((f) => f.ruleId === 'unused-suppression')
      .map((f) => `${f.line}:${f.column} ${f.message}`);
    expect(messages).toEqual([
      '1:25 stackopt-disable-file names unknown rule "healthcheck-requird" (did you mean "healthcheck-required"?); `stackopt rules` lists the rule ids',
      '2:3 unknown directive "stackopt-disable-nextline"; did you mean "stackopt-disable-next-line"?; use stackopt-disable-next-line, stackopt-disable-line or stackopt-disable-file',
    ]);
  });

  it('a suppression of a rule turned off in the config is not reported; unused-suppression: off silences all', () => {
    const text = `# stackopt-disable-file cap-drop-all\n${BASE}`;
    expect(lint(text).findings.filter((f) => f.includes('unused-suppression'))).toEqual([]);
    const off = onlyRules({ 'healthcheck-required': 'warning', 'non-root-user': 'warning' });
    expect(lint(`# stackopt-disable-file healthcheck-requird\n${BASE}`, off).findings.filter((f) => f.includes('unused-suppression'))).toEqual([]);
  });

  it('a # inside a quoted value is not a directive', () => {
    expect(
      lint(`services:
  web:
    image: nginx:1.27
    command: "echo '# stackopt-disable-line non-root-user'"
  worker:
    image: myorg/app:12
`).findings,
    ).toEqual(['2:3 healthcheck-required web', '2:3 non-root-user web', '5:3 healthcheck-required worker', '5:3 non-root-user worker']);
  });
});
