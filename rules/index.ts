import type { Rule } from '../src/engine/types.js';
import resourceLimits from './resource-limits/index.js';
import criticalSingleReplica from './critical-single-replica/index.js';
import healthcheckRequired from './healthcheck-required/index.js';
import nonRootUser from './non-root-user/index.js';
import capDropAll from './cap-drop-all/index.js';
import tmpfsHardening from './tmpfs-hardening/index.js';
import sleepPolicy from './sleep-policy/index.js';

/** Every model rule, in catalogue order. Add a rule by adding its folder and a line here. */
export const modelRules: Rule[] = [resourceLimits, criticalSingleReplica, healthcheckRequired, nonRootUser, capDropAll, tmpfsHardening, sleepPolicy] as Rule[];
