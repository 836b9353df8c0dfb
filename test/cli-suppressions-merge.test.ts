import { describe, expect, it } from 'vitest';
import { lintCase } from './helpers/rule-tester.js';
import healthcheckRequired from '../rules/healthcheck-required/index.js';
import nonRootUser from '../rules/non-root-user/index.js';
import restartPolicy from '../rules/restart-policy/index.js';
import type { Rule } from '../src/engine/types.js';

/**
 * Suppressions in a project of several -f files (through lintProject, as lint, fix and audit
 * all call it): a comment applies to findings located in its own file; `x-stackopt` keys merge
 * like any compose key, so one written in the override file covers the merged project.
 */
const rules = [healthcheckRequired, nonRootUser] as Rule[];
const base = `services:
  web:
    image: nginx:1.27
`;

function findings(files: Record<string, string>) {
  return lintCase({ code: files, lint: Object.keys(files) }, undefined, rules).map((f) => `${f.file}:${f.line} ${f.ruleId}`);
}

describe('suppressions across -f files', () => {
  it('a comment covers findings in its own file only', () => {
    // healthcheck-required points at web's key in compose.yaml, where the comment suppresses it;
    // non-root-user points at `user: root` in compose.prod.yaml, which the comment does not reach
    expect(
      findings({
        'compose.yaml': `# stackopt-disable-file healthcheck-required\n${base}`,
        'compose.prod.yaml': 'services:\n  web:\n    user: root\n',
      }),
    ).toEqual(['compose.prod.yaml:3 non-root-user']);
  });

  it('x-stackopt in the override file covers the merged project', () => {
    expect(
      findings({
        'compose.yaml': base,
        'compose.prod.yaml': 'x-stackopt:\n  disable: [non-root-user]\nservices:\n  web:\n    x-stackopt: {disable: [healthcheck-required]}\n',
      }),
    ).toEqual([]);
  });

  it('unused-suppression is not reported for a rule that did not run', () => {
    const out = lintCase({ code: `# stackopt-disable-file cap-drop-all\n${base}` }, undefined, rules).map((f) => f.ruleId);
    expect(out).toEqual(['healthcheck-required', 'non-root-user']);
  });

  it('unused-suppression is not reported for a rule that declined to run (a swarm rule under target compose)', () => {
    const text = `# stackopt-disable-file restart-policy\n${base}`;
    const asCompose = lintCase({ code: { 'compose.yaml': text } }, undefined, [...rules, restartPolicy as Rule]).map((f) => f.ruleId);
    expect(asCompose).toEqual(['healthcheck-required', 'non-root-user']);
    const asSwarm = lintCase({ code: { 'docker-stack.yml': text } }, undefined, [...rules, restartPolicy as Rule]).map((f) => f.ruleId);
    expect(asSwarm).toEqual(['healthcheck-required', 'non-root-user']); // used: restart-policy's finding is suppressed
  });
});
