import type { Rule } from '../src/engine/types.js';
import resourceLimits from './resource-limits/index.js';
import tmpfsHardening from './tmpfs-hardening/index.js';
import sleepPolicy from './sleep-policy/index.js';

/** Every model rule, in catalogue order. Add a rule by adding its folder and a line here. */
export const modelRules: Rule[] = [resourceLimits, tmpfsHardening, sleepPolicy] as Rule[];
