import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import rule, { readNoNewPrivileges } from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { fixProject } from '../../src/fix/fix-project.js';

/** The fixed text of `compose.yaml` (only this rule's fixes), and what is left of the rule. */
function fixText(text: string, target: 'compose' | 'swarm' = 'compose', unsafe = false): { output: string; left: number } {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-nnp-'));
  try {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, text);
    const r = fixProject({ files: [file], environment: {}, only: ['no-new-privileges'], target, unsafe });
    return { output: r.files[0]!.output, left: r.after.filter((f) => f.ruleId === 'no-new-privileges').length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('readNoNewPrivileges', () => {
  it('reads the forms docker takes', () => {
    expect(readNoNewPrivileges('no-new-privileges')).toBe(true);
    expect(readNoNewPrivileges('no-new-privileges:true')).toBe(true);
    expect(readNoNewPrivileges('no-new-privileges=true')).toBe(true);
    expect(readNoNewPrivileges('no-new-privileges:false')).toBe(false);
    expect(readNoNewPrivileges('label=disable')).toBeNull();
  });
});

testRule(rule, {
  valid: [
    { name: 'set', code: 'services:\n  api:\n    image: api:1\n    security_opt:\n      - no-new-privileges:true\n' },
    { name: 'the bare form, in a flow list', code: 'services:\n  api:\n    image: api:1\n    security_opt: [no-new-privileges]\n' },
    { name: 'through a merge key', code: 'x-sec: &sec\n  security_opt: ["no-new-privileges=true"]\nservices:\n  api:\n    <<: *sec\n    image: api:1\n' },
    { name: 'from ${VAR:-...}', code: 'services:\n  api:\n    image: api:1\n    security_opt:\n      - ${NNP:-no-new-privileges:true}\n' },
  ],
  invalid: [
    {
      name: 'no security_opt: points at the service name',
      code: 'services:\n  api:\n    image: api:1\n',
      errors: [
        {
          message: 'service "api" does not set no-new-privileges:true in security_opt, so a process in it can gain privileges through setuid binaries; add security_opt: [no-new-privileges:true]',
          line: 2,
          column: 3,
          endColumn: 6,
          path: 'services.api',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'security_opt without it: points at the key',
      code: 'services:\n  api:\n    image: api:1\n    security_opt:\n      - label=disable\n',
      errors: [{ messageId: 'missing', line: 4, column: 5, endColumn: 17 }],
    },
    {
      name: 'explicitly false: underlines it',
      code: 'services:\n  api:\n    image: api:1\n    security_opt: ["no-new-privileges:false"]\n',
      errors: [{ message: /sets no-new-privileges:false in security_opt/, line: 4, column: 20, endColumn: 45 }],
    },
    {
      name: 'false through an anchor, for each service using it',
      code: 'x-sec: &sec\n  - no-new-privileges=false\nservices:\n  a:\n    image: a:1\n    security_opt: *sec\n',
      errors: [{ messageId: 'disabled', line: 2, column: 5 }],
    },
    {
      name: 'target swarm: one finding for the stack, daemon.json advice',
      code: { 'stack.yml': 'services:\n  a:\n    image: a:1\n  b:\n    image: b:1\n' },
      errors: [{ message: 'docker stack deploy ignores security_opt, so the 2 service(s) of this stack cannot set no-new-privileges in the file; set "no-new-privileges": true in /etc/docker/daemon.json on every node', line: 1, column: 1, endColumn: 9, path: 'services' }],
    },
  ],
});

describe('no-new-privileges fix', () => {
  it('adds security_opt after the last key of the service', () => {
    const { output, left } = fixText('services:\n  api:\n    image: api:1\n    # keep me\n    user: "1000"\n\n  db:\n    image: db:1\n    security_opt:\n      - no-new-privileges:true\n');
    expect(output).toBe('services:\n  api:\n    image: api:1\n    # keep me\n    user: "1000"\n    security_opt:\n      - no-new-privileges:true\n\n  db:\n    image: db:1\n    security_opt:\n      - no-new-privileges:true\n');
    expect(left).toBe(0);
  });

  it('appends to an existing list, block or flow', () => {
    expect(fixText('services:\n  api:\n    image: api:1\n    security_opt:\n      - label=disable\n').output).toBe(
      'services:\n  api:\n    image: api:1\n    security_opt:\n      - label=disable\n      - no-new-privileges:true\n',
    );
    expect(fixText('services:\n  api:\n    image: api:1\n    security_opt: [label=disable]\n').output).toBe('services:\n  api:\n    image: api:1\n    security_opt: [label=disable, no-new-privileges:true]\n');
  });

  it('turns an explicit false into true in its own quoting with --unsafe only (it was turned off on purpose)', () => {
    const text = 'services:\n  api:\n    image: api:1\n    security_opt: ["no-new-privileges:false"]\n';
    expect(fixText(text)).toEqual({ output: text, left: 1 });
    expect(fixText(text, 'compose', true).output).toBe('services:\n  api:\n    image: api:1\n    security_opt: ["no-new-privileges:true"]\n');
  });

  it('keeps CRLF line ends', () => {
    expect(fixText('services:\r\n  api:\r\n    image: api:1\r\n').output).toBe('services:\r\n  api:\r\n    image: api:1\r\n    security_opt:\r\n      - no-new-privileges:true\r\n');
  });

  it('changes a shared anchor only when every service using it needs it', () => {
    const shared = 'x-base: &base\n  image: app:1\n  security_opt:\n    - label=disable\nservices:\n  a:\n    <<: *base\n  b:\n    <<: *base\n';
    expect(fixText(shared).output).toBe('x-base: &base\n  image: app:1\n  security_opt:\n    - label=disable\n    - no-new-privileges:true\nservices:\n  a:\n    <<: *base\n  b:\n    <<: *base\n');
    const own = 'x-base: &base\n  image: app:1\nservices:\n  a:\n    <<: *base\n';
    expect(fixText(own).output).toBe('x-base: &base\n  image: app:1\nservices:\n  a:\n    <<: *base\n    security_opt:\n      - no-new-privileges:true\n');
  });

  it('does nothing under target swarm (the key would be ignored)', () => {
    const text = 'services:\n  api:\n    image: api:1\n';
    expect(fixText(text, 'swarm').output).toBe(text);
  });
});

testReadmeExamples(rule, { incorrect: 1 });
