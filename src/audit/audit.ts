import { STACK_NAMESPACE_LABEL } from '../model/labels.js';
import { lintProject } from '../engine/lint.js';
import { allRules } from '../engine/registry.js';
import { compareFindings, runRules, type RunOptions } from '../engine/run-rules.js';
import type { Finding, Rule } from '../engine/types.js';
import type { Stack } from '../model/types.js';
import { computeCapacity, type NodeCapacity } from '../model/capacity.js';
import type { DeclaredStack, LiveFacts, LiveTask } from '../model/live-facts.js';
import { buildLiveStack, buildTasks, ScopeError, type AuditScope } from './live-model.js';
import type { SwarmObjectKind } from './docker.js';
import type { SwarmSnapshot } from './snapshot.js';

export interface AuditOptions extends AuditScope, RunOptions {
  rules?: readonly Rule[];
  /** stack files to compare with the swarm (stack-drift), merged like `docker stack deploy -c A -c B` */
  declaredFiles?: string[];
  envFiles?: string[];
  /** the environment `${VAR}` in the declared files is read from (default: the process's) */
  environment?: Record<string, string | undefined>;
}

export interface AuditResult {
  stack: Stack;
  facts: LiveFacts;
  findings: Finding[];
  /** per node (computeCapacity: read only, frozen, the array capacity-overcommit read) */
  capacity: readonly NodeCapacity[];
  /** objects that disappeared while the swarm was read, per kind (left out of the audit) */
  vanished: Partial<Record<SwarmObjectKind, number>>;
  /** only part of the swarm was read (--stack, --service): node capacity counts the tasks of that part only */
  partial: boolean;
}

/** A declared stack file that cannot be compared (unreadable, invalid, or no stack to compare with). */
export class DeclaredStackError extends Error {}

/** A swarm converted into the model, ready for the rules; the snapshot it was read from is not kept. */
export interface LiveAudit {
  stack: Stack;
  vanished: AuditResult['vanished'];
  partial: boolean;
}

/**
 * Audit a snapshot: convert the services in scope into the model, attach the live facts (and the
 * declared stack for drift), and run every rule, file rules and live rules alike. Pure: no docker.
 */
export function auditSnapshot(snap: SwarmSnapshot, opts: AuditOptions = {}): AuditResult {
  return auditLive(prepareAudit(snap, opts), opts);
}

/**
 * The first half of `auditSnapshot`: the swarm as a `Stack` with its live facts. What it returns
 * holds nothing of the snapshot's JSON, so a caller that lets the snapshot go before `auditLive`
 * lets the collector free it while the rules run (the parsed JSON of a large swarm is most of what
 * the heap holds then, and a full collection marks whatever is still reachable).
 *
 * `ownsSnapshot`: the caller hands the snapshot over (it reads nothing of it afterwards). The facts
 * of its tasks are then made first and its parsed tasks let go (`snap.tasks` is emptied, one task
 * at a time as its facts are made: `buildTasks`) before the services are converted: the tasks are
 * most of a large swarm's JSON, and the collector drops them instead of copying them into the old
 * generation while the facts, trees and model are made.
 */
export function prepareAudit(snap: SwarmSnapshot, opts: AuditOptions = {}, ownsSnapshot = false): LiveAudit {
  const tasks: LiveTask[] | undefined = ownsSnapshot ? buildTasks(snap.tasks, true) : undefined;
  const stack = buildLiveStack(snap, opts, tasks);
  if (opts.declaredFiles && opts.declaredFiles.length > 0) {
    stack.live!.declared = loadDeclared(snap, opts);
  }
  return { stack, vanished: { ...snap.vanished }, partial: snap.scope !== undefined };
}

/** The second half of `auditSnapshot`: every rule on the converted swarm, and the capacity of its nodes. */
export function auditLive(live: LiveAudit, opts: AuditOptions = {}): AuditResult {
  const { stack } = live;
  const facts = stack.live!;
  const findings = runRules(stack, opts.rules ?? allRules, opts);
  // a live object has no file to fix: what the rules would edit in a stack file is not fixable here
  for (const f of findings) {
    if (f.loc?.kind === 'file') continue;
    f.fixable = false;
    f.fix = null;
  }
  findings.sort(compareFindings);
  return { stack, facts, findings, capacity: computeCapacity(facts), vanished: live.vanished, partial: live.partial };
}

/** How many objects changed while the swarm was read: `3 (2 tasks, 1 service)`, or null. */
export function describeVanished(vanished: AuditResult['vanished']): { count: number; text: string } | null {
  const parts = (Object.entries(vanished) as Array<[SwarmObjectKind, number]>).filter(([, n]) => n > 0);
  if (parts.length === 0) return null;
  const count = parts.reduce((n, [, k]) => n + k, 0);
  return { count, text: parts.map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ') };
}

function loadDeclared(snap: SwarmSnapshot, opts: AuditOptions): DeclaredStack {
  const files = opts.declaredFiles!;
  const res = lintProject({ files, envFiles: opts.envFiles, environment: opts.environment, rules: [] });
  const broken = res.findings.find((f) => f.severity === 'error' && (f.ruleId === 'yaml-syntax' || f.ruleId === 'interpolation'));
  if (!res.stack || broken) {
    const f = broken ?? res.findings[0];
    throw new DeclaredStackError(
      `cannot compare with ${files.join(', ')}: ${f ? `${f.file}:${f.line}:${f.column}: ${f.message}` : 'the file has no services'}; check it with \`stackopt lint -f ${files.join(' -f ')}\``,
    );
  }
  return { stack: res.stack, namespace: resolveNamespace(snap, opts, res.stack), files };
}

/** The stack the file was deployed as: --stack, else the one stack whose services the file names. */
function resolveNamespace(snap: SwarmSnapshot, opts: AuditOptions, declared: Stack): string {
  if (opts.stack) return opts.stack;
  const names = new Set(declared.services.map((s) => s.name));
  const candidates = new Map<string, number>();
  for (const s of snap.services) {
    const ns = s.Spec.Labels?.[STACK_NAMESPACE_LABEL];
    if (!ns || !s.Spec.Name.startsWith(`${ns}_`)) continue;
    if (names.has(s.Spec.Name.slice(ns.length + 1))) candidates.set(ns, (candidates.get(ns) ?? 0) + 1);
  }
  if (candidates.size === 1) return [...candidates.keys()][0]!;
  if (candidates.size === 0) {
    throw new DeclaredStackError(
      `no stack on this swarm has the services of ${opts.declaredFiles!.join(', ')}: name the stack it is deployed as with --stack NAME`,
    );
  }
  throw new DeclaredStackError(
    `the services of ${opts.declaredFiles!.join(', ')} are deployed in several stacks (${[...candidates.keys()].sort().join(', ')}): choose one with --stack NAME`,
  );
}

export { ScopeError };
