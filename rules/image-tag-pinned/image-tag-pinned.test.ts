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
      name: 'latest from a default: the default is what to pin',
      code: 'services:\n  api:\n    image: ${REGISTRY}myorg/api:${TAG:-latest}\n  web:\n    image: "myorg/web:${WEB_TAG-latest}"\n',
      errors: [
        {
          messageId: 'latestDefault',
          message: 'service "api" uses image "${REGISTRY}myorg/api:${TAG:-latest}" ("myorg/api:latest"), whose latest tag, the default of ${TAG}, changes on every pull; make the default a version (${TAG:-1.2.3}), and set TAG where another one is wanted',
          line: 3,
          column: 12,
        },
        { messageId: 'latestDefault', message: /the default of \$\{WEB_TAG\}, changes on every pull; make the default a version \(\$\{WEB_TAG-1\.2\.3\}\)/, line: 5, column: 12 },
      ],
    },
    {
      // the environment says latest: that is the value to change, and it is not quoted
      name: 'latest from a set variable: the plain message',
      code: 'services:\n  api:\n    image: myorg/api:${TAG:-1.0}\n',
      env: { TAG: 'latest' },
      errors: [{ messageId: 'latest', message: /pin a version tag \(such as IMAGE:1\.2\.3\)/, line: 3, column: 12 }],
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
