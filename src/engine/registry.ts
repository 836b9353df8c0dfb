import { modelRules } from '../../rules/index.js';
import { coreRules } from './core-rules.js';
import { unusedSuppression } from './suppressions.js';
import type { Rule } from './types.js';

/** The whole catalogue: the parser's checks, the suppression check, then the model rules. */
export const allRules: Rule[] = [...coreRules, unusedSuppression, ...modelRules];

/** A rule of the catalogue by id. */
export function findRule(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
