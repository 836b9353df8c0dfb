import { defineRule, type Rule } from './types.js';

/**
 * Checks that run while reading a file rather than over the model. They are rules in the catalogue
 * (listed, documented, configurable) whose findings come from the parser.
 */
const noVisitor = () => ({});

export const yamlSyntax: Rule = defineRule({
  meta: {
    id: 'yaml-syntax',
    description: 'The file must be one well-formed YAML document whose root is a mapping: no syntax errors, duplicate keys, unknown aliases or alias bombs.',
    severity: 'error',
    category: 'syntax',
    messages: { issue: '{{message}}' },
  },
  create: noVisitor,
});

export const schema: Rule = defineRule({
  meta: {
    id: 'schema',
    description: 'The file must validate against the compose specification schema; every error is reported at the node it concerns.',
    severity: 'error',
    category: 'syntax',
    messages: { issue: '{{message}}' },
  },
  create: noVisitor,
});

export const interpolation: Rule = defineRule({
  meta: {
    id: 'interpolation',
    description: '`${VAR}` references must resolve: a missing required variable (`${VAR:?msg}`) or a malformed expression is an error, an unset variable without default a warning.',
    severity: 'error',
    category: 'syntax',
    messages: { issue: '{{message}}' },
  },
  create: noVisitor,
});

export const extendsRule: Rule = defineRule({
  meta: {
    id: 'extends',
    description: '`extends` must name a service that exists (in this file or in `extends.file`) and must not form a cycle.',
    severity: 'error',
    category: 'syntax',
    messages: { issue: '{{message}}' },
  },
  create: noVisitor,
});

export const coreRules: Rule[] = [yamlSyntax, schema, interpolation, extendsRule];
