import { basename } from 'node:path';
import { at, child, entries, rootRef, scalarValue } from '../model/access.js';
import type { Stack } from '../model/types.js';
import type { LMap } from '../parse/located.js';

/**
 * What a file is deployed with: `docker compose` (target compose) or `docker stack deploy` (target
 * swarm). Some rules only make sense for one of them, and with target swarm the file is also checked
 * against what `docker stack deploy` accepts (the `swarm-compat` rule).
 */
export type Target = 'compose' | 'swarm';
export type TargetSetting = Target | 'auto';

export const TARGET_SETTINGS: readonly TargetSetting[] = ['auto', 'compose', 'swarm'];

export interface ResolvedTarget {
  target: Target;
  /** why: `--target swarm`, `file name "docker-stack.yml"`, `services.api.deploy.placement` */
  reason: string;
}

/**
 * `deploy` keys only `docker stack deploy` acts on; `docker compose` ignores them (docker/compose
 * reads no `Deploy.Placement`, `UpdateConfig`, `RollbackConfig` or `EndpointMode`). Not
 * `restart_policy`: docker compose makes it the container's restart policy (getRestartPolicy in
 * docker/compose pkg/compose/create.go), so a compose file may well set it.
 */
const SWARM_ONLY_DEPLOY_KEYS = ['placement', 'update_config', 'rollback_config', 'endpoint_mode'];
/** `deploy.mode` values only swarm has */
const SWARM_ONLY_MODES = new Set(['global', 'replicated-job', 'global-job']);

/** The first use of a swarm-only key, as a YAML path, or null when the file uses none. */
export function findSwarmOnlyKey(root: LMap): string | null {
  for (const { key: name, ref: svc } of entries(child(rootRef(root), 'services'))) {
    const deploy = child(svc, 'deploy');
    if (!deploy) continue;
    for (const k of SWARM_ONLY_DEPLOY_KEYS) if (child(deploy, k)) return `services.${name}.deploy.${k}`;
    const mode = scalarValue(at(deploy, 'mode'));
    if (typeof mode === 'string' && SWARM_ONLY_MODES.has(mode)) return `services.${name}.deploy.mode: ${mode}`;
  }
  return null;
}

/** The word `stack` (or `stacks`) on its own in a file name: `docker-stack.yml`, not `bookstack.yaml`. */
const STACK_WORD = /(?:^|[^a-z0-9])stacks?(?:[^a-z0-9]|$)/i;

/** The first service that uses `extends`, or null. */
function findExtends(root: LMap): string | null {
  for (const { key: name, ref: svc } of entries(child(rootRef(root), 'services'))) {
    if (svc.node.kind === 'map' && svc.node.extendsKey) return name;
  }
  return null;
}

/**
 * The rule of evidence of `auto`: swarm only on evidence that the files are deployed with
 * `docker stack deploy`, compose otherwise.
 *
 * 1. A file name with the word `stack` (or `stacks`) in it, between non-alphanumeric characters or
 *    the ends of the name, in any case: `docker-stack.yml`, `stack.yaml`, `monitoring-stack.yml`,
 *    `prod.STACK.yml`. A name that merely contains the letters (`bookstack.yaml`,
 *    `localstack.yml`) is no evidence.
 * 2. Else, a service that uses `extends` says compose: `docker stack deploy` refuses `extends`, so
 *    the files are deployed with `docker compose` (and a swarm-only key a service inherits
 *    through `extends` is no evidence either).
 * 3. Else, a key only swarm acts on, written in the files: `deploy.placement`,
 *    `deploy.update_config`, `deploy.rollback_config`, `deploy.endpoint_mode`,
 *    `deploy.mode: global` or a job mode (not `deploy.restart_policy`: docker compose acts on it).
 */
export function resolveTarget(setting: TargetSetting | undefined, files: readonly string[], root: LMap | null): ResolvedTarget {
  const known = targetBeforeReading(setting, files);
  if (known) return known;
  const extending = root ? findExtends(root) : null;
  if (extending) return { target: 'compose', reason: `service "${extending}" uses extends, which docker stack deploy refuses` };
  const key = root ? findSwarmOnlyKey(root) : null;
  if (key) return { target: 'swarm', reason: `the file uses the swarm-only key ${key}` };
  return { target: 'compose', reason: 'no stack file name and no swarm-only key' };
}

/**
 * The target when the setting or a file name decides it, before the files are read (lint reads a
 * stack's `${...}` as docker stack deploy does); null when it takes their contents.
 */
export function targetBeforeReading(setting: TargetSetting | undefined, files: readonly string[]): ResolvedTarget | null {
  if (setting === 'compose' || setting === 'swarm') return { target: setting, reason: `target ${setting} was asked for` };
  const named = files.find((f) => STACK_WORD.test(basename(f)));
  return named ? { target: 'swarm', reason: `the file name "${basename(named)}" says stack` } : null;
}

/** The target rules should assume for a stack: as resolved by lint; a live stack is a swarm. */
export function stackTarget(stack: Stack): Target {
  return stack.target ?? (stack.origin === 'live' ? 'swarm' : 'compose');
}

export function isTargetSetting(v: unknown): v is TargetSetting {
  return typeof v === 'string' && (TARGET_SETTINGS as readonly string[]).includes(v);
}
