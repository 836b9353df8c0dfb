import { defineRule, type Rule } from './types.js';

/**
 * Checks that run while reading a file rather than over the model. They are rules in the catalogue
 * (listed, documented, configurable) whose findings come from the parser, so they visit nothing
 * and have one message, the parser's own.
 */
function defineParserCheck(id: string, description: string, severity: 'error' | 'warning' = 'error', category: 'syntax' | 'references' = 'syntax'): Rule {
  return defineRule({
    meta: { id, description, severity, category, messages: { issue: '{{message}}' } },
    create: () => ({}),
  });
}

export const yamlSyntax = defineParserCheck(
  'yaml-syntax',
  'The file must be one well-formed YAML document whose root is a mapping: no syntax errors, duplicate keys, keys docker does not read as strings, unknown aliases or alias bombs.',
);

export const schema = defineParserCheck(
  'schema',
  'The file must validate against the compose specification schema; every error is reported at the node it concerns.',
);

export const interpolation = defineParserCheck(
  'interpolation',
  '`${VAR}` references must resolve: a missing required variable (`${VAR:?msg}`) or a malformed expression is an error, an unset variable without default a warning.',
);

export const extendsRule = defineParserCheck(
  'extends',
  '`extends` must name a service that exists (in this file or in `extends.file`) and must not form a cycle.',
);

export const includeRule = defineParserCheck(
  'include',
  'Every file a top-level `include` names must be read: it exists, is a compose file inside the project, forms no cycle, and its env files can be read.',
);

export const mergeRule = defineParserCheck(
  'merge',
  'Files merged with -f (and services merged by `extends`) must be mergeable as docker compose merges them: a service attribute that is a mapping is not overridden by a list, a scalar or null (compose refuses with "cannot override").',
);

export const envFileRule = defineParserCheck(
  'env-file',
  'Every `env_file` of a service (unless `required: false`) and every `label_file` exists: docker compose refuses the project while one is missing, docker stack deploy while an env file is. Only files inside the project are looked for; a path that a variable gives is not.',
  'warning',
  'references',
);

export const coreRules: Rule[] = [yamlSyntax, schema, interpolation, extendsRule, includeRule, mergeRule, envFileRule];
