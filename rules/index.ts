import type { Rule } from '../src/engine/types.js';
import resourceLimits from './resource-limits/index.js';
import criticalSingleReplica from './critical-single-replica/index.js';
import healthcheckRequired from './healthcheck-required/index.js';
import nonRootUser from './non-root-user/index.js';
import capDropAll from './cap-drop-all/index.js';
import tmpfsHardening from './tmpfs-hardening/index.js';
import sleepPolicy from './sleep-policy/index.js';
import sleepCandidate from './sleep-candidate/index.js';
import noPrivileged from './no-privileged/index.js';
import noHostNamespaces from './no-host-namespaces/index.js';
import noDockerSocket from './no-docker-socket/index.js';
import noHostSystemMounts from './no-host-system-mounts/index.js';
import noNewPrivileges from './no-new-privileges/index.js';
import imageTagPinned from './image-tag-pinned/index.js';
import portsHostIp from './ports-host-ip/index.js';
import portsConflict from './ports-conflict/index.js';
import containerNameScaling from './container-name-scaling/index.js';
import swarmCompat from './swarm-compat/index.js';
import secretsInEnvironment from './secrets-in-environment/index.js';
import undefinedReference from './undefined-reference/index.js';
import dependsOn from './depends-on/index.js';
import healthcheckTiming from './healthcheck-timing/index.js';
import restartPolicy from './restart-policy/index.js';
import updateConfig from './update-config/index.js';
import updateMonitor from './update-monitor/index.js';

import nodeAvailability from './node-availability/index.js';
import managerQuorum from './manager-quorum/index.js';
import serviceConvergence from './service-convergence/index.js';
import capacityOvercommit from './capacity-overcommit/index.js';
import placementUnsatisfiable from './placement-unsatisfiable/index.js';
import stackDrift from './stack-drift/index.js';
import swarmAutolock from './swarm-autolock/index.js';
import overlayEncryption from './overlay-encryption/index.js';
import swarmCertificates from './swarm-certificates/index.js';
import engineVersionSkew from './engine-version-skew/index.js';

/** Every model rule, in catalogue order. Add a rule by adding its folder and a line here. */
export const modelRules: Rule[] = [resourceLimits, criticalSingleReplica, healthcheckRequired, nonRootUser, capDropAll, tmpfsHardening, sleepPolicy, sleepCandidate,
  noPrivileged, noHostNamespaces, noDockerSocket, noHostSystemMounts, noNewPrivileges, imageTagPinned, portsHostIp, portsConflict, containerNameScaling, swarmCompat, secretsInEnvironment, undefinedReference, dependsOn, healthcheckTiming, restartPolicy, updateConfig, updateMonitor,
  // live rules (stackopt audit only)
  nodeAvailability, managerQuorum, serviceConvergence, capacityOvercommit, placementUnsatisfiable, stackDrift,
  swarmAutolock, overlayEncryption, swarmCertificates, engineVersionSkew,
] as Rule[];
