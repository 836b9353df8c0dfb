/**
 * Fix of critical-single-replica: a stateless critical service gets `deploy.replicas: 2`. Safe,
 * because it only runs where the rule found no state (no named volume, no database, cache or
 * broker image) and where a second replica can start; stateful services are never scaled (no
 * fix, the finding keeps the HA advice), nor are services a second replica of would fail
 * (`scaleBlocker`).
 */
import type { Fix } from '../../src/engine/types.js';
import { buildSharedFix, completesAnotherFile, FixBuilder } from '../../src/engine/fixer.js';
import { stackTarget, type Target } from '../../src/engine/target.js';
import { at, child, items, scalarValue } from '../../src/model/access.js';
import { parseConstraint } from '../../src/model/placement.js';
import { isReplicated, isStateful } from '../../src/model/service-class.js';
import type { LRef } from '../../src/model/access.js';
import type { Port, Service, Stack } from '../../src/model/types.js';
import { parseShortPort } from '../../src/parse/stack-formats.js';
import { interpolate, type Lookup } from '../../src/parse/interpolate.js';
import { showValue, shownText, writtenWhenSet } from '../show-value.js';

export const FIXED_REPLICAS = 2;

/**
 * Why a second replica of the service would not start, or null when it would:
 * - compose: a `container_name` (compose names the one container by it, and refuses to scale);
 * - compose: a fixed published host port (`80:4000`, `127.0.0.1:80:4000`): the second container
 *   cannot bind it (a host port range of two or more ports for one container port can);
 * - swarm: a published port in `mode: host` (each task binds the port on its node), unless
 *   `deploy.placement.max_replicas_per_node: 1` keeps the tasks on different nodes. Swarm ignores
 *   `container_name`, and an ingress-mode port is served by the routing mesh for every replica.
 * - swarm: a constraint that names one node (`node.hostname == edge-1`) with
 *   `max_replicas_per_node: 1`: the second task would never find a node.
 */
export function scaleBlocker(svc: Service, target: Target, stack?: Stack): string | null {
  if (target === 'compose') {
    const name = scalarValue(child(svc.ref, 'container_name'));
    if (typeof name === 'string' && name !== '') {
      return `it sets container_name "${name}", and docker compose cannot start a second container of that name; remove container_name (others reach it by its service name), then scale it`;
    }
    const networkMode = scalarValue(child(svc.ref, 'network_mode'));
    const mode = typeof networkMode === 'string' ? networkMode.trim() : '';
    if (mode.toLowerCase() === 'host') {
      return 'it uses the host\'s network (network_mode: host), where a second container would listen on the same ports of the host; give it a network of its own and publish its ports, then scale it';
    }
    if (/^(?:service|container):./.test(mode)) {
      return `it shares the network of another container (network_mode: ${shownText(child(svc.ref, 'network_mode'))}), where a second container would listen on the same ports; give it a network of its own, then scale it`;
    }
    const fixed = fixedAddress(svc);
    if (fixed) return `it sets ${fixed}, which a second container cannot take; remove it, then scale it`;
  }
  const onePerNode = Number(scalarValue(at(svc.deploy, 'placement', 'max_replicas_per_node'))) === 1;
  // a constraint that names one node: a task per node is then one task in all
  const pin = target === 'swarm' ? pinnedTo(svc) : null;
  if (pin && onePerNode) {
    return `it may run on one node only (${pin}) and at most one task per node (max_replicas_per_node: 1), so a second task would wait for a node forever; let its constraints take more nodes, then scale it`;
  }
  const spread = pin
    ? `let its constraints take more nodes (it may run on one only: ${pin}) and set deploy.placement.max_replicas_per_node: 1, then scale it`
    : 'set deploy.placement.max_replicas_per_node: 1 on enough nodes, then scale it';
  if (target === 'swarm' && !onePerNode) {
    const host = hostNetwork(svc, stack);
    if (host) return `it attaches to the host's network (${host}), where a second task on the same node would listen on the same ports; ${spread}`;
  }
  for (const p of svc.ports) {
    // a host port a variable sets is whatever the environment of the deploy makes it: not the
    // environment of this run (unset here, it would read as no host port at all)
    const variable = hostPortVariable(p);
    if (!variable && (p.published === null || p.published.trim() === '')) continue;
    const written = p.syntax === 'short' ? showValue(p.ref) : `published: ${variable ? showValue(child(p.ref, 'published')!) : p.published}`;
    // the port itself when the file gives it (`${PORT:-80}` unset here: 80), never a set variable's value
    const fromEnv = writtenWhenSet(p.syntax === 'short' ? p.ref : child(p.ref, 'published')) !== null;
    const port = variable && (fromEnv || !p.published?.trim()) ? 'a host port set by a variable' : `host port ${p.published}`;
    if (target === 'swarm') {
      if ((p.mode ?? 'ingress') !== 'host' || onePerNode) continue;
      return `it publishes ${port} in mode: host (${written}), which a second task on the same node cannot bind; publish it in ingress mode or ${spread}`;
    }
    if (!variable && hostPorts(p.published!) >= 2 && !p.target.includes('-')) continue;
    return `it publishes ${port} (${written}), which a second container cannot bind${variable ? ' when it is one port' : ''}; publish a host port range, or put a proxy in front of it, then scale it`;
  }
  return null;
}

/**
 * The placement constraint that names one node (`node.hostname == edge-1`, `node.id == ...`,
 * `node.ip == 10.0.0.5`; swarmkit's keys read without regard to case), as written; else null.
 * A `!=`, a role, a label or an address range may take several nodes.
 */
function pinnedTo(svc: Service): string | null {
  for (const c of items(at(svc.deploy, 'placement', 'constraints'))) {
    const raw = scalarValue(c);
    const parsed = typeof raw === 'string' ? parseConstraint(raw) : null;
    if (!parsed || parsed.op !== '==' || parsed.value === '') continue;
    const key = parsed.key.toLowerCase();
    if (key === 'node.hostname' || key === 'node.id' || (key === 'node.ip' && !parsed.value.includes('/'))) return shownText(c);
  }
  return null;
}

/** The network of the service that is the host's (`networks: [host]`, or one declared `external` with `name: host`), as written; else null. */
function hostNetwork(svc: Service, stack: Stack | undefined): string | null {
  for (const n of svc.networks) {
    const declared = stack?.networks.get(n.name);
    const name = declared ? scalarValue(child(declared.ref, 'name')) : undefined;
    if (n.name === 'host' || name === 'host') return name === 'host' && n.name !== 'host' ? `networks: ${n.name}, the network named host` : 'networks: host';
  }
  return null;
}

/**
 * A fixed address the service's container takes (compose gives each container of a service the same
 * one): `mac_address`, or a network's `ipv4_address`, `ipv6_address` or `mac_address`, as
 * `networks.front.ipv4_address: 172.28.0.10`; else null.
 */
function fixedAddress(svc: Service): string | null {
  const own = scalarValue(child(svc.ref, 'mac_address'));
  // as the file wrote them where a set variable gave them
  if (typeof own === 'string' && own.trim() !== '') return `mac_address ${shownText(child(svc.ref, 'mac_address'))}`;
  for (const n of svc.networks) {
    for (const key of ['ipv4_address', 'ipv6_address', 'mac_address']) {
      const v = scalarValue(child(n.ref, key));
      if (typeof v === 'string' && v.trim() !== '') return `networks.${n.name}.${key} ${shownText(child(n.ref, key))}`;
    }
  }
  return null;
}

/** Whether the published (host) port is written with a variable (`"${MYSQL_PORT}:3306"`, `published: ${PORT:-80}`). */
function hostPortVariable(p: Port): boolean {
  if (p.syntax === 'long') {
    const n = child(p.ref, 'published')?.node;
    return n !== undefined && n.kind === 'scalar' && n.raw !== undefined && markVariables(n.raw).includes(MARK);
  }
  const n = p.ref.node;
  if (n.kind !== 'scalar' || n.raw === undefined) return false;
  const published = parseShortPort(markVariables(n.raw)).published;
  // `"${PORTS}"` set to `7777:80`: the variable holds the host port too
  return (published !== null && published.includes(MARK)) || (!published && Boolean(p.published?.trim()));
}

const MARK = '\u0001';
/** Every variable set (to the mark): a default or a message after it is not read, only the expression itself told. */
const MARKED: Lookup = { get: () => MARK };

/**
 * The text with each variable expression (`$NAME`, `${...}` with what nests in it) as one mark
 * character, `$$` kept: the port's parts can then be told apart as docker splits the value (a
 * default such as `${PORT:-80}` holds a colon of its own). The expressions are the ones compose's
 * interpolation reads (src/parse/interpolate.ts), the outermost of each.
 */
function markVariables(text: string): string {
  const spans: Array<[number, number]> = [];
  interpolate(text, MARKED, (_name, start, end) => {
    const last = spans[spans.length - 1];
    if (!last || start >= last[1]) spans.push([start, end]);
  });
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + MARK;
    at = end;
  }
  return out + text.slice(at);
}

/** How many host ports a published value names: `80` one, `8000-8009` ten; 0 when it is not a number. */
function hostPorts(published: string): number {
  const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(published);
  if (!m) return 0;
  return m[2] === undefined ? 1 : Math.max(0, Number(m[2]) - Number(m[1]) + 1);
}

/**
 * The `scale` that sets how many containers docker compose runs, when it is what does: target
 * compose and no `deploy.replicas` written (compose refuses the two with different values); else
 * null. `docker stack deploy` has no `scale` (swarm-compat reports it).
 */
export function composeScale(svc: Service, target: Target): LRef | null {
  if (target !== 'compose' || at(svc.deploy, 'replicas')) return null;
  return child(svc.ref, 'scale') ?? null;
}

/** `isCritical` is the rule's own test (its patterns and options), so that a shared value is changed only for services that all need it. */
export function fixReplicas(stack: Stack, svc: Service, isCritical: (s: Service) => boolean): Fix {
  return buildSharedFix(stack, svc, (s) => {
    // a `scale` compose reads is raised where it is written: deploy.replicas beside it would be refused
    const scale = composeScale(s, stackTarget(stack));
    const scaled = scale ? scalarValue(scale) : undefined;
    const count = typeof scaled === 'number' ? scaled : (s.replicas?.value ?? 1);
    const was = scale ? String(scaled) : s.replicas ? String(s.replicas.value) : 'not set, so 1';
    const b = new FixBuilder(`set ${scale ? 'scale' : 'deploy.replicas'} to ${FIXED_REPLICAS} (was ${was})`);
    if (!isReplicated(s) || count >= FIXED_REPLICAS) return b.fail(`service "${s.name}" does not need more replicas`);
    if (isStateful(s)) return b.fail(`service "${s.name}" keeps state and is not scaled`);
    // a file that completes services of another one (an override fixed on its own): whether the
    // service keeps state or can run twice is written in the file it completes
    const partial = completesAnotherFile(s);
    if (partial) return b.fail(partial);
    if (!isCritical(s)) return b.fail(`service "${s.name}" is not critical`);
    const blocker = scaleBlocker(s, stackTarget(stack), stack);
    if (blocker) return b.fail(`service "${s.name}" cannot run a second replica: ${blocker}`);
    return b.set(s.ref, scale ? ['scale'] : ['deploy', 'replicas'], FIXED_REPLICAS);
  });
}
