import { describe, expect, it } from 'vitest';
import rule from './index.js';
import { stacksOf } from '../../test/helpers/sized-stacks.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { Stack } from '../../src/model/types.js';
import { cpuRatio } from '../../test/helpers/measure.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

const TOP = 'networks:\n  front: {}\nvolumes:\n  data: {}\nsecrets:\n  db_password:\n    file: ./db_password.txt\nconfigs:\n  nginx_conf:\n    file: ./nginx.conf\n';

testRule(rule, {
  valid: [
    {
      name: 'everything declared',
      code: `services:\n  api:\n    image: api:1\n    networks: [front]\n    volumes:\n      - data:/data\n      - ./local:/local\n      - /abs:/abs\n      - /anonymous\n    secrets: [db_password]\n    configs:\n      - source: nginx_conf\n        target: /etc/nginx/nginx.conf\n${TOP}`,
    },
    { name: 'the default network needs no declaration', code: 'services:\n  api:\n    image: api:1\n    networks: [default]\n' },
    { name: 'declared with an empty value, long volume syntax', code: 'services:\n  api:\n    image: api:1\n    networks:\n      back:\n        aliases: [api]\n    volumes:\n      - type: volume\n        source: data\n        target: /data\nnetworks:\n  back:\nvolumes:\n  data:\n' },
    {
      // docker refuses the file (`mapping key "volumes" already defined`, yaml-syntax's error); a
      // volume the first copy declares is not also reported as undeclared
      name: 'a top-level key written twice: a name its earlier copy declares',
      code: 'volumes:\n  data: {}\nservices:\n  api:\n    image: api:1\n    volumes: ["data:/data", "logs:/logs"]\n    networks: [front]\nnetworks:\n  front: {}\nvolumes:\n  logs: {}\n',
    },
    { name: 'declared in an override file', code: { 'compose.yaml': 'services:\n  api:\n    image: api:1\n    volumes: ["data:/data"]\n', 'compose.override.yaml': 'volumes:\n  data: {}\n' }, lint: ['compose.yaml', 'compose.override.yaml'] },
  ],
  invalid: [
    {
      name: 'compose: a secret a build uses and a model, each not declared; swarm ignores build and has no models',
      code: {
        'compose.yaml': 'services:\n  web:\n    build:\n      context: .\n      secrets: [token, {source: npmrc}]\n    models: [llm]\n  api:\n    image: api:1\n    models:\n      chat: {endpoint_var: URL}\nsecrets:\n  token: {file: ./t}\nmodels:\n  llm: {model: ai/smollm2}\n',
      },
      errors: [
        { message: 'service "web" uses build secret "npmrc", which is not declared under the top-level secrets key; declare it there (secrets: npmrc: ...) or fix the name', line: 5, column: 33, endColumn: 38 },
        { message: 'service "api" uses model "chat", which is not declared under the top-level models key; declare it there (models: chat: ...) or fix the name', line: 10, column: 7, endColumn: 11 },
      ],
    },
    {
      name: 'a name an unset variable gives: said as written, not as an undeclared ""',
      code: 'services:\n  web:\n    image: nginx:1.27\n    secrets:\n      - source: ${SECRET_NAME}\nsecrets:\n  db: {file: ./db.txt}\n',
      errors: [{ messageId: 'unsetName', message: 'service "web" uses secret "${SECRET_NAME}", whose name is empty here (the variable is not set); set it, or write the name', line: 5, column: 17 }],
    },
    {
      name: 'a network in a list: underlines the name, suggests the close one',
      code: 'services:\n  api:\n    image: api:1\n    networks:\n      - frontend\nnetworks:\n  front: {}\n',
      errors: [
        {
          message: 'service "api" uses network "frontend", which is not declared under the top-level networks key (did you mean "front"?); declare it there (networks: frontend: ...) or fix the name',
          line: 5,
          column: 9,
          endColumn: 17,
          path: 'services.api.networks[0]',
          severity: 'error',
        },
      ],
    },
    {
      name: 'a top-level key written twice: a name neither copy declares is still reported',
      code: 'volumes:\n  data: {}\nservices:\n  api:\n    image: api:1\n    volumes: ["cache:/cache"]\nvolumes:\n  logs: {}\n',
      errors: [{ message: /uses volume "cache", which is not declared under the top-level volumes key/, line: 6, column: 15, endColumn: 29 }],
    },
    {
      name: 'a network in a mapping: points at the key',
      code: 'services:\n  api:\n    image: api:1\n    networks:\n      back:\n        aliases: [api]\n',
      errors: [{ message: /uses network "back", which is not declared under the top-level networks key \(the file declares no networks\)/, line: 5, column: 7, endColumn: 11 }],
    },
    {
      name: 'volumes, secrets and configs, short and long',
      code: 'services:\n  api:\n    image: api:1\n    volumes:\n      - cache:/cache\n      - type: volume\n        source: logs\n        target: /logs\n    secrets:\n      - api_key\n    configs:\n      - source: app_conf\n        target: /app.conf\n',
      errors: [
        { message: /uses volume "cache"/, line: 5, column: 9, endColumn: 21 },
        { message: /uses volume "logs"/, line: 7, column: 17 },
        { message: /uses secret "api_key"/, line: 10, column: 9 },
        { message: /uses config "app_conf"/, line: 12, column: 17 },
      ],
    },
    {
      name: 'a volume named by ${VAR:-default}, through an anchor',
      code: 'x-vol: &vol\n  volumes:\n    - ${DATA_VOLUME:-appdata}:/data\nservices:\n  api:\n    <<: *vol\n    image: api:1\nvolumes:\n  data: {}\n',
      errors: [{ message: /uses volume "appdata"/, line: 3, column: 7 }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 2 });

describe('size', () => {
  // n services, each using a secret none declares, beside n declared secrets: each unknown name was
  // compared with every declared one for a suggestion, and each service depends on a missing one
  const text = (n: number) =>
    `services:\n${Array.from({ length: n }, (_, i) => `  s${i}:\n    image: a:1\n    secrets: [zz${i}]\n`).join('')}secrets:\n${Array.from({ length: n }, (_, i) => `  sec${i}: {file: ./s${i}}\n`).join('')}`;
  it('suggests names in time in proportion to the references', () => {
    const [small, large] = stacksOf(text, [250, 4000]);
    const run = (stack: Stack) => runRules(stack, [rule]);
    expect(run(small!)).toHaveLength(250);
    // at 16 times the references, linear work is about 16 times, each against every declared
    // name 256: the bound leaves room for a busy machine
    expect(cpuRatio(run, small!, large!)).toBeLessThan(100);
  }, 300_000);

  it('suggests a name for the first 200 distinct unknown names only; a name asked again keeps its answer', () => {
    // services u0..u209 each use "alpahI" (one swap from the declared "alphaI"); u210 asks "alpah3" again
    const n = 210;
    const services = Array.from({ length: n }, (_, i) => `  u${i}:\n    image: a:1\n    secrets: [alpah${i}]\n`).join('');
    const declared = Array.from({ length: n }, (_, i) => `  alpha${i}: {file: ./a${i}}\n`).join('');
    const [stack] = stacksOf(() => `services:\n${services}  u${n}:\n    image: a:1\n    secrets: [alpah3]\nsecrets:\n${declared}`, [0]);
    const messages = runRules(stack!, [rule]).map((f) => f.message);
    const suggested = (i: number, name = `alpah${i}`) => messages.find((m) => m.startsWith(`service "u${i}" uses secret "${name}"`))!.includes(`(did you mean "alpha${name.slice(5)}"?)`);
    expect(messages).toHaveLength(n + 1);
    expect([suggested(0), suggested(199), suggested(200), suggested(209), suggested(n, 'alpah3')]).toEqual([true, true, false, false, true]);
    expect(messages.filter((m) => m.includes('did you mean')).length).toBe(201);
  });
});
