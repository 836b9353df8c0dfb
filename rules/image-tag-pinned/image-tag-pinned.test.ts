import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

testRule(rule, {
  valid: [
    { name: 'a version tag', code: 'services:\n  api:\n    image: nginx:1.27.2\n' },
    { name: 'a digest', code: 'services:\n  api:\n    image: nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n' },
    { name: 'latest with a digest', code: 'services:\n  api:\n    image: nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n' },
    { name: 'registry with a port and a tag', code: 'services:\n  api:\n    image: localhost:5000/team/api:2.1\n' },
    { name: 'built here', code: 'services:\n  api:\n    build: .\n    image: myapp\n' },
    { name: 'tag from ${TAG:-...}', code: 'services:\n  api:\n    image: myorg/api:${TAG:-1.4.0}\n' },
    { name: 'ignored by option', code: 'services:\n  api:\n    image: myorg/api\n', options: { ignoreImages: ['myorg/*'] } },
    { name: 'no image', code: 'services:\n  api:\n    command: ["true"]\n' },
  ],
  invalid: [
    {
      name: 'no tag',
      code: 'services:\n  api:\n    image: nginx\n',
      errors: [
        {
          message: 'service "api" uses image "nginx" without a tag, which means latest and changes on every pull; pin a version tag (such as nginx:1.2.3) or a digest (@sha256:...)',
          line: 3,
          column: 12,
          endColumn: 17,
          path: 'services.api.image',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'latest, with a registry port (not a tag)',
      code: 'services:\n  api:\n    image: "localhost:5000/api:latest"\n',
      errors: [{ message: /uses image "localhost:5000\/api:latest", whose latest tag changes on every pull; pin a version tag \(such as localhost:5000\/api:1\.2\.3\)/, line: 3, column: 12 }],
    },
    {
      name: 'a tag variable that is unset: the message shows what is written and what it is',
      code: 'services:\n  api:\n    image: myorg/api:${TAG}\n',
      errors: [{ message: /uses image "myorg\/api:\$\{TAG\}" \("myorg\/api:"\) without a tag/, line: 3, column: 12 }],
    },
    {
      name: 'latest from a default',
      code: 'services:\n  api:\n    image: myorg/api:${TAG:-latest}\n',
      errors: [{ messageId: 'latest', line: 3, column: 12 }],
    },
    {
      name: 'through an anchor: at the anchor, for each service',
      code: 'x-img: &img\n  image: redis\nservices:\n  a:\n    <<: *img\n  b:\n    <<: *img\n',
      errors: [
        { message: /service "a" uses image "redis"/, line: 2, column: 10 },
        { message: /service "b" uses image "redis"/, line: 2, column: 10 },
      ],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 2 });
