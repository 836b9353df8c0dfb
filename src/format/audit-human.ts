import { showControls } from '../model/describe.js';
import { Chalk, type ChalkInstance } from 'chalk';
import { describeVanished, type AuditResult } from '../audit/audit.js';
import { describeScope } from '../audit/live-model.js';
import { formatCpus, formatSize, type NodeCapacity } from '../model/capacity.js';
import { plural } from '../model/describe.js';
import { isNodeUsable, jobProgress, type LiveFacts, type LiveNode, type LiveService, type LiveTask } from '../model/live-facts.js';
import { analysePlacement } from '../model/placement.js';
import type { Finding } from '../engine/types.js';
import { maxOf } from '../parse/collect.js';

export interface AuditHumanContext {
  color: boolean;
}

const BAR_WIDTH = 20;

/**
 * The human report of `stackopt audit`: findings about the swarm as a whole, then by node, then by
 * service (each with a status line), then a capacity view per node with bars of reserved CPU and
 * memory, and a summary line.
 */
export function formatAuditHuman(result: Pick<AuditResult, 'findings' | 'facts' | 'capacity'> & Partial<Pick<AuditResult, 'vanished' | 'partial'>>, ctx: AuditHumanContext): string {
  const c = new Chalk({ level: ctx.color ? 1 : 0 });
  const { findings, facts, capacity } = result;
  const out: string[] = [];

  const managers = facts.nodes.filter((n) => n.manager !== null).length; // Raft members, as docker info counts them
  const scope = facts.scope.stack ? ` in stack "${facts.scope.stack}"` : '';
  out.push(c.bold(`Swarm audit of ${facts.engine || 'a snapshot'}`));
  out.push(
    c.dim(
      `engine ${facts.engineVersion ?? 'unknown'} · snapshot ${new Date(facts.takenAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} · ` +
        `${plural(facts.nodes.length, 'node')} (${plural(managers, 'manager')}) · ${plural(facts.services.length, 'service')}${scope}`,
    ),
  );
  const vanished = describeVanished(result.vanished ?? {});
  if (vanished) {
    out.push(c.yellow(`${plural(vanished.count, 'object')} changed during the audit (${vanished.text} gone between two docker calls): left out, the rest audited`));
  }
  out.push('');

  const nodeByObject = new Map(facts.nodes.map((n) => [`node ${n.name}`, n]));
  const cluster: Finding[] = [];
  const byNode = new Map<LiveNode, Finding[]>();
  const byService = new Map<string, Finding[]>();
  for (const f of findings) {
    const object = f.loc?.kind === 'live' ? f.loc.object : null;
    const node = object ? nodeByObject.get(object) : undefined;
    if (node) push(byNode, node, f);
    else if (f.service) push(byService, f.service, f);
    else cluster.push(f);
  }

  if (cluster.length) {
    out.push(c.underline('Cluster'));
    for (const f of cluster) out.push(findingLine(f, c, '  '));
    out.push('');
  }

  out.push(c.underline('Nodes'));
  const nodeWidth = maxOf(facts.nodes, (n) => n.name.length, 4);
  for (const n of facts.nodes) {
    const list = byNode.get(n) ?? [];
    // names and messages of the engine are shown with their control characters written out
    out.push(`  ${c.bold(showControls(n.name, true).padEnd(nodeWidth))}  ${c.dim(showControls(nodeStatus(n), true))}${list.length ? '' : `  ${c.green('✔')}`}`);
    for (const f of list) out.push(findingLine(f, c, '    '));
  }
  out.push('');

  out.push(c.underline('Services'));
  const names = [...new Set([...facts.services.map((s) => s.name), ...byService.keys()])];
  const serviceByName = new Map(facts.services.map((s) => [s.name, s]));
  const svcWidth = maxOf(names, (n) => n.length, 4);
  const tasksOf = tasksByService(facts);
  if (names.length === 0) out.push(c.dim('  (no services in scope)'));
  for (const name of names) {
    const svc = serviceByName.get(name);
    const list = byService.get(name) ?? [];
    const status = svc ? serviceStatus(svc, tasksOf.get(svc.id) ?? [], facts) : 'not deployed';
    out.push(`  ${c.bold(showControls(name, true).padEnd(svcWidth))}  ${c.dim(showControls(status, true))}${list.length ? '' : `  ${c.green('✔')}`}`);
    for (const f of list) out.push(findingLine(f, c, '    '));
  }
  out.push('');

  const part = result.partial && (facts.scope.stack || facts.scope.services.length) ? describeScope(facts.scope) : null;
  out.push(
    c.underline('Capacity') +
      c.dim(part ? `  reserved by the running tasks of ${part} only (other services were not read), of each node's CPUs and memory` : "  reserved by running tasks, of each node's CPUs and memory"),
  );
  for (const cap of capacity) out.push(capacityLine(cap, nodeWidth, c));
  out.push('');

  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const infos = findings.length - errors - warnings;
  if (findings.length === 0) {
    out.push(c.green(`✔ no problems on ${plural(facts.nodes.length, 'node')} and ${plural(facts.services.length, 'service')}`));
  } else {
    const parts = [plural(errors, 'error'), plural(warnings, 'warning')];
    if (infos) parts.push(`${infos} info`);
    const where = [
      cluster.length ? `${cluster.length} on the cluster` : '',
      byNode.size ? `${[...byNode.values()].reduce((n, l) => n + l.length, 0)} on ${plural(byNode.size, 'node')}` : '',
      byService.size ? `${[...byService.values()].reduce((n, l) => n + l.length, 0)} on ${plural(byService.size, 'service')}` : '',
    ].filter(Boolean);
    const line = `✖ ${plural(findings.length, 'problem')} (${parts.join(', ')}): ${where.join(', ')}`;
    out.push(errors ? c.red.bold(line) : c.yellow.bold(line));
  }
  return `${out.join('\n')}\n`;
}

function push<K>(m: Map<K, Finding[]>, k: K, f: Finding): void {
  const list = m.get(k);
  if (list) list.push(f);
  else m.set(k, [f]);
}

function findingLine(f: Finding, c: ChalkInstance, indent: string): string {
  const sevText = f.severity.padEnd(7);
  const sev = f.severity === 'error' ? c.red(sevText) : f.severity === 'warning' ? c.yellow(sevText) : c.blue(sevText);
  const where = f.loc?.kind === 'live' ? f.loc.path : f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file;
  return `${indent}${sev}  ${f.message}  ${c.dim(f.ruleId)}${where ? c.dim(`  (${showControls(where, true)})`) : ''}`;
}

function nodeStatus(n: LiveNode): string {
  const parts = [n.role + (n.manager?.leader ? ' (leader)' : n.manager && n.manager.reachability !== 'reachable' ? ` (${n.manager.reachability})` : '')];
  parts.push(n.state);
  parts.push(n.availability);
  if (n.state !== 'ready' && n.message) parts.push(`"${n.message}"`);
  parts.push(`${formatCpus(n.nanoCpus)}, ${formatSize(n.memoryBytes)}`);
  return parts.join(' · ');
}

/** The tasks of each service, by service id, in the order of the snapshot (one pass, not one per service). */
function tasksByService(facts: LiveFacts): Map<string, LiveTask[]> {
  const m = new Map<string, LiveTask[]>();
  for (const t of facts.tasks) {
    const list = m.get(t.serviceId);
    if (list) list.push(t);
    else m.set(t.serviceId, [t]);
  }
  return m;
}

function serviceStatus(svc: LiveService, tasks: LiveTask[], facts: LiveFacts): string {
  if (svc.job) {
    const eligible = svc.mode === 'global-job' ? analysePlacement(svc, facts.nodes).eligible.filter(isNodeUsable).length : 0;
    const { done, total } = jobProgress(svc.job, tasks, eligible);
    return `${svc.mode} ${done}/${total} completed · ${svc.image}`;
  }
  const running = tasks.filter((t) => t.state === 'running' && (t.desiredState === 'running' || t.desiredState === 'ready')).length;
  let desired: string;
  if (svc.mode === 'replicated') desired = String(svc.replicas ?? 0);
  else if (svc.mode === 'global') desired = String(analysePlacement(svc, facts.nodes).eligible.filter(isNodeUsable).length);
  else desired = '-';
  return `${svc.mode} ${running}/${desired} · ${svc.image}`;
}

function capacityLine(cap: NodeCapacity, width: number, c: ChalkInstance): string {
  const usable = isNodeUsable(cap.node);
  const part = (label: string, r: { reserved: number; total: number }, show: (n: number) => string) => {
    const share = r.total > 0 ? r.reserved / r.total : 0;
    return `${label} ${bar(share, c)} ${String(Math.round(share * 100)).padStart(3)}%  ${`${show(r.reserved)} of ${show(r.total)}`.padEnd(22)}`;
  };
  const note = usable ? '' : c.dim(`  (${cap.node.state !== 'ready' ? cap.node.state : cap.node.availability})`);
  return `  ${showControls(cap.node.name, true).padEnd(width)}  ${part('cpu', cap.cpu, formatCpus)}  ${part('mem', cap.memory, formatSize)}${c.dim(plural(cap.tasks.length, 'task'))}${note}`;
}

function bar(share: number, c: ChalkInstance): string {
  const filled = Math.min(BAR_WIDTH, Math.round(Math.min(1, share) * BAR_WIDTH));
  const shown = share > 0 && filled === 0 ? 1 : filled;
  const colour = share > 1 ? c.red : share >= 0.9 ? c.yellow : c.green;
  return `[${colour('█'.repeat(shown))}${c.dim('░'.repeat(BAR_WIDTH - shown))}]`;
}
