/**
 * The resource ledger's output formats: `table` (for a terminal), `json` (schemas/resources.schema.json),
 * `markdown` (a pull-request comment: the totals first, each stack's services in a collapsible
 * block) and `csv` (RFC 4180). Every format shows the same rows and the same totals, and a total
 * is always the sum of the rows above it.
 */
import { showControls } from '../model/describe.js';
import { Chalk } from 'chalk';
import { maxOf } from '../parse/collect.js';
import {
  describeTotalsLine,
  formatCpuTotal,
  formatMemoryTotal,
  formatPercentChange,
  type ResourceFigures,
  type ResourceTotals,
  type ServiceResources,
} from '../model/resource-totals.js';
import type { Demand } from '../model/node-fit.js';
import { HOURS_PER_MONTH, monthlyCost, sumLedgers, monthlyNodeCost, type Cluster, type Fit, type LedgerRow, type Prices, type StackFit, type StackLedger } from '../fix/resource-ledger.js';

export const LEDGER_FORMATS = ['table', 'json', 'markdown', 'csv'] as const;
export type LedgerFormat = (typeof LEDGER_FORMATS)[number];

/** The `format` of the JSON document. */
export const RESOURCES_FORMAT = 'stackopt-resources/1';

export interface LedgerReport {
  version: string;
  /** the sizing preset fix used */
  preset: string;
  /** the usage profile read, as the user named it */
  usageFile: string | null;
  prices: Prices | null;
  /** the nodes the fit is computed on, and where they came from */
  cluster: { source: string; cluster: Cluster } | null;
  stacks: Array<{ ledger: StackLedger; fit: StackFit | null }>;
}

export function formatLedger(format: LedgerFormat, report: LedgerReport, opts: { color: boolean }): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(ledgerDocument(report), null, 2)}\n`;
    case 'markdown':
      return formatMarkdown(report);
    case 'csv':
      return formatCsv(report);
    default:
      return formatTable(report, opts.color);
  }
}

// ---------------------------------------------------------------------------------------------
// shared pieces

const FIGURES = ['reservedCpus', 'limitCpus', 'reservedMemory', 'limitMemory'] as const;
type Figure = (typeof FIGURES)[number];
const FIGURE_TITLES: Record<Figure, string> = {
  reservedCpus: 'CPU reserved',
  limitCpus: 'CPU limit',
  reservedMemory: 'memory reserved',
  limitMemory: 'memory limit',
};
const isCpu = (f: Figure) => f === 'reservedCpus' || f === 'limitCpus';
const show = (f: Figure, n: number) => (isCpu(f) ? formatCpuTotal(n) : formatMemoryTotal(n));

/** The grand total over every stack: the sum of the stacks' totals. */
const grandTotals = (report: LedgerReport) => sumLedgers(report.stacks.map((s) => s.ledger));

/** A row's figure as a cell: `none` when the service does not set it, else the value over its tasks. */
function valueText(r: ServiceResources, f: Figure): string {
  return r.perTask[f] === null ? 'none' : show(f, r[f]);
}

/** `before → after`, or the value alone when it did not change. */
function rowCell(row: LedgerRow, f: Figure): string {
  const b = valueText(row.before, f);
  const a = valueText(row.after, f);
  return b === a && row.before[f] === row.after[f] ? a : `${b} \u2192 ${a}`;
}

function totalCell(t: { before: ResourceFigures; after: ResourceFigures }, f: Figure): string {
  const b = show(f, t.before[f]);
  const a = show(f, t.after[f]);
  return t.before[f] === t.after[f] ? a : `${b} \u2192 ${a}`;
}

/** The change of a total: `−43%`, `+12%`, `new` (from nothing), '' (no change). */
function changeText(before: number, after: number): string {
  if (before === after) return '';
  return formatPercentChange(before, after) || 'new';
}

function tasksText(r: ServiceResources, counted: boolean): string {
  if (r.global) return counted ? `${r.tasks} (global)` : '1/node';
  return String(r.replicas);
}

function tasksCell(row: LedgerRow, counted: boolean): string {
  const b = tasksText(row.before, counted);
  const a = tasksText(row.after, counted);
  return a === b ? a : `${b} \u2192 ${a}`;
}

function observedCell(row: LedgerRow, kind: 'cpu' | 'memory'): string {
  const o = row.observed;
  if (!o) return '\u2014';
  const f = kind === 'cpu' ? formatCpuTotal : formatMemoryTotal;
  const u = o[kind];
  return `${u.p95 === null ? '\u2014' : f(u.p95)} / ${f(u.peak)}`;
}

function money(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function costCell(before: ResourceFigures, after: ResourceFigures, p: Prices): string {
  const b = money(monthlyCost(before, p));
  const a = money(monthlyCost(after, p));
  return a === b ? a : `${b} \u2192 ${a}`;
}

function describeSize(size: Demand): string {
  return `${formatCpuTotal(size.cpus)} CPUs and ${formatMemoryTotal(size.memory)}`;
}

/** The fit in words, one line per state: `fits on 3 nodes; 2 nodes of that size are enough`. */
export function describeFit(fit: Fit, cluster: Cluster, prices: Prices | null): string {
  const parts: string[] = [];
  if (fit.fits === true) parts.push(`fits on the ${cluster.kind === 'snapshot' ? cluster.nodes.length : cluster.count} ${nodeWord(cluster.kind === 'snapshot' ? cluster.nodes.length : cluster.count!)}`);
  else if (fit.fits === false && fit.nodes.length === 0) parts.push('does not fit: no node takes tasks');
  else if (fit.fits === false) {
    const missing = fit.unplaced.map((u) => `${u.count} ${u.count === 1 ? 'task' : 'tasks'} of ${showControls(u.service, true)}`).join(', ');
    parts.push(`does not fit: ${missing} would find no node with the reservations free`);
  }
  if (fit.needed.nodes === null) {
    const t = fit.needed.tooLarge;
    parts.push(`no node of that size holds a task of ${showControls(t.service, true)} (reserves ${formatCpuTotal(t.cpus)} CPUs and ${formatMemoryTotal(t.memory)})`);
  } else {
    const n = fit.needed.nodes;
    const cost = prices ? ` (${money(monthlyNodeCost(n, cluster.size, prices))} a month)` : '';
    parts.push(`needs ${n} ${nodeWord(n)} of that size on its own${cost}`);
  }
  return parts.join('; ');
}

const nodeWord = (n: number) => (n === 1 ? 'node' : 'nodes');

function describeCluster(c: { source: string; cluster: Cluster }): string {
  const k = c.cluster;
  if (k.kind === 'snapshot') {
    const un = k.unusable ? `, ${k.unusable} more not taking tasks` : '';
    return `${k.nodes.length} usable ${nodeWord(k.nodes.length)} of ${c.source} (what other services reserve left out${un}); new nodes of ${describeSize(k.size)}`;
  }
  return k.count === null ? `nodes of ${describeSize(k.size)}` : `${k.count} ${nodeWord(k.count)} of ${describeSize(k.size)}`;
}

function headline(report: LedgerReport): string {
  const services = report.stacks.reduce((n, s) => n + s.ledger.rows.length, 0);
  const parts = [`${services} ${services === 1 ? 'service' : 'services'} in ${report.stacks.length} ${report.stacks.length === 1 ? 'stack' : 'stacks'}`, `sized by fix with preset "${report.preset}"`];
  if (report.usageFile) parts.push(`usage from ${report.usageFile}`);
  return parts.join(', ');
}

/** The notes under a table: what the figures are. */
function notes(report: LedgerReport, counted: boolean): string[] {
  const out = ['Figures are per service, over all its tasks (per task × replicas); "none": not set.'];
  if (report.stacks.some((s) => s.ledger.totals.after.global > 0 || s.ledger.totals.before.global > 0)) out.push(counted ? 'Global services run one task per node, counted on the nodes given.' : 'Global services run one task per node: counted once (1/node); give --nodes to count them per node.');
  if (report.usageFile) out.push('Observed: p95 / peak per task, from the usage profile (— where it has no history for the service).');
  if (report.prices) out.push(`Cost: reservations × prices (${report.prices.cpuHour} per CPU-hour, ${report.prices.gibHour} per GiB-hour) × ${HOURS_PER_MONTH} h a month.`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// table

function formatTable(report: LedgerReport, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const out: string[] = [c.bold(headline(report)), ''];
  const observed = report.usageFile !== null;
  for (const { ledger, fit } of report.stacks) {
    const counted = ledger.count.nodes !== undefined;
    const head = ['service', 'tasks', ...FIGURES.map((f) => FIGURE_TITLES[f])];
    if (observed) head.push('CPU p95/peak', 'memory p95/peak');
    if (report.prices) head.push('cost/month');
    const body: string[][] = ledger.rows.map((r) => {
      const cells = [showControls(r.service, true), tasksCell(r, counted), ...FIGURES.map((f) => rowCell(r, f))];
      if (observed) cells.push(observedCell(r, 'cpu'), observedCell(r, 'memory'));
      if (report.prices) cells.push(costCell(r.before, r.after, report.prices));
      return cells;
    });
    const t = ledger.totals;
    const total = ['total', String(t.after.tasks), ...FIGURES.map((f) => totalCell(t, f))];
    const change = ['change', '', ...FIGURES.map((f) => changeText(t.before[f], t.after[f]))];
    if (observed) {
      total.push('', '');
      change.push('', '');
    }
    if (report.prices) {
      total.push(costCell(t.before, t.after, report.prices));
      change.push(changeText(monthlyCost(t.before, report.prices), monthlyCost(t.after, report.prices)));
    }
    const rows = [head, ...body, total, change];
    const widths = head.map((_, i) => maxOf(rows, (r) => [...r[i]!].length));
    const line = (r: string[], style: (s: string) => string = (s) => s) =>
      r
        .map((cell, i) => {
          const padded = i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]! + cell.length - [...cell].length);
          return style(padded);
        })
        .join('  ')
        .trimEnd();
    out.push(`${c.underline(showControls(ledger.file, true))} (${ledger.target}; fix would make ${ledger.fixes} ${ledger.fixes === 1 ? 'change' : 'changes'})`);
    out.push(line(head, c.bold));
    for (const r of body) out.push(line(r));
    out.push(line(total, c.bold));
    out.push(line(change, (s) => (s.includes('\u2212') ? c.green(s) : s.includes('+') || s.includes('new') ? c.yellow(s) : s)));
    out.push(`total: ${describeTotalsLine(t.before, t.after, ledger.count)}`);
    if (fit && report.cluster) {
      out.push(`nodes: ${describeCluster(report.cluster)}`);
      out.push(`  before fix: ${describeFit(fit.before, report.cluster.cluster, report.prices)}`);
      out.push(`  after fix:  ${describeFit(fit.after, report.cluster.cluster, report.prices)}`);
    }
    out.push('');
  }
  if (report.stacks.length > 1) {
    const g = grandTotals(report);
    out.push(c.bold(`all ${report.stacks.length} stacks: ${describeTotalsLine(g.before, g.after)}`), '');
  }
  const counted = report.stacks.some((s) => s.ledger.count.nodes !== undefined);
  for (const n of notes(report, counted)) out.push(c.dim(n));
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// markdown

/** A table cell: pipes escaped, line breaks removed (a file name may hold either). */
function md(s: string): string {
  return showControls(s, true).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;');
}

function formatMarkdown(report: LedgerReport): string {
  const out: string[] = ['## Resources before and after `stackopt fix`', '', md(headline(report)), ''];
  const g = grandTotals(report);
  out.push('| total | before | after | change |', '| --- | ---: | ---: | ---: |');
  for (const f of FIGURES) out.push(`| ${FIGURE_TITLES[f]} | ${show(f, g.before[f])} | ${show(f, g.after[f])} | ${changeText(g.before[f], g.after[f])} |`);
  out.push(`| tasks | ${g.before.tasks} | ${g.after.tasks} | ${g.before.tasks === g.after.tasks ? '' : `${g.after.tasks > g.before.tasks ? '+' : '\u2212'}${Math.abs(g.after.tasks - g.before.tasks)}`} |`);
  if (report.prices) {
    const b = monthlyCost(g.before, report.prices);
    const a = monthlyCost(g.after, report.prices);
    out.push(`| cost a month | ${money(b)} | ${money(a)} | ${changeText(b, a)} |`);
  }
  out.push('');
  for (const { ledger, fit } of report.stacks) {
    if (fit && report.cluster) {
      out.push(`**${md(ledger.file)}** on ${md(describeCluster(report.cluster))}:`, '');
      out.push(`- before fix: ${md(describeFit(fit.before, report.cluster.cluster, report.prices))}`);
      out.push(`- after fix: ${md(describeFit(fit.after, report.cluster.cluster, report.prices))}`, '');
    }
  }
  const observed = report.usageFile !== null;
  for (const { ledger } of report.stacks) {
    const counted = ledger.count.nodes !== undefined;
    out.push(`<details><summary>${md(ledger.file)}: ${ledger.rows.length} ${ledger.rows.length === 1 ? 'service' : 'services'}, ${ledger.fixes} ${ledger.fixes === 1 ? 'change' : 'changes'} by fix</summary>`, '');
    const head = ['service', 'tasks', ...FIGURES.map((f) => FIGURE_TITLES[f])];
    if (observed) head.push('CPU p95 / peak', 'memory p95 / peak');
    if (report.prices) head.push('cost a month');
    out.push(`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`);
    for (const r of ledger.rows) {
      const cells = [`\`${r.service}\``, tasksCell(r, counted), ...FIGURES.map((f) => rowCell(r, f))];
      if (observed) cells.push(observedCell(r, 'cpu'), observedCell(r, 'memory'));
      if (report.prices) cells.push(costCell(r.before, r.after, report.prices));
      out.push(`| ${cells.map(md).join(' | ')} |`);
    }
    const t = ledger.totals;
    const total = ['**total**', String(t.after.tasks), ...FIGURES.map((f) => `**${totalCell(t, f)}**`)];
    if (observed) total.push('', '');
    if (report.prices) total.push(`**${costCell(t.before, t.after, report.prices)}**`);
    out.push(`| ${total.join(' | ')} |`, '');
    out.push(`Total: ${md(describeTotalsLine(t.before, t.after, ledger.count))}.`, '', '</details>', '');
  }
  out.push(...notes(report, report.stacks.some((s) => s.ledger.count.nodes !== undefined)).map((n) => `<sub>${md(n)}</sub><br>`));
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// csv

/**
 * RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. A text
 * field that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return: a service named `-cmd`, a file named `=HYPERLINK(...).yml`) is kept as text
 * with a leading `'`; numbers (`-0.5`) stay numbers.
 */
export function csvField(v: string | number | null): string {
  let s = v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function formatCsv(report: LedgerReport): string {
  const observed = report.usageFile !== null;
  const head = ['row', 'file', 'service', 'mode', 'tasks_before', 'tasks_after'];
  for (const f of FIGURES) head.push(`${snake(f)}_before`, `${snake(f)}_after`);
  if (observed) head.push('observed_cpu_p95', 'observed_cpu_peak', 'observed_memory_p95_bytes', 'observed_memory_peak_bytes', 'observed_samples');
  if (report.prices) head.push('cost_month_before', 'cost_month_after');
  const lines = [head];
  const figures = (b: ResourceFigures, a: ResourceFigures) => FIGURES.flatMap((f) => [num(f, b[f]), num(f, a[f])]);
  const cost = (b: ResourceFigures, a: ResourceFigures) => (report.prices ? [round2(monthlyCost(b, report.prices)), round2(monthlyCost(a, report.prices))] : []);
  for (const { ledger } of report.stacks) {
    for (const r of ledger.rows) {
      const cells: Array<string | number> = ['service', ledger.file, r.service, r.after.mode, r.before.tasks, r.after.tasks, ...figures(r.before, r.after)];
      if (observed) {
        const o = r.observed;
        cells.push(o?.cpu.p95 ?? '', o ? round6(o.cpu.peak) : '', o?.memory.p95 != null ? Math.round(o.memory.p95) : '', o ? Math.round(o.memory.peak) : '', o?.samples ?? '');
      }
      cells.push(...cost(r.before, r.after));
      lines.push(cells.map(String));
    }
    const t = ledger.totals;
    const cells: Array<string | number> = ['stack total', ledger.file, '', '', t.before.tasks, t.after.tasks, ...figures(t.before, t.after)];
    if (observed) cells.push('', '', '', '', '');
    cells.push(...cost(t.before, t.after));
    lines.push(cells.map(String));
  }
  if (report.stacks.length > 1) {
    const g = grandTotals(report);
    const cells: Array<string | number> = ['total', '', '', '', g.before.tasks, g.after.tasks, ...figures(g.before, g.after)];
    if (observed) cells.push('', '', '', '', '');
    cells.push(...cost(g.before, g.after));
    lines.push(cells.map(String));
  }
  return lines.map((l) => `${l.map(csvField).join(',')}\r\n`).join('');
}

function snake(f: Figure): string {
  return { reservedCpus: 'cpu_reserved', limitCpus: 'cpu_limit', reservedMemory: 'memory_reserved_bytes', limitMemory: 'memory_limit_bytes' }[f];
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
const round2 = (n: number) => Math.round(n * 100) / 100;
const num = (f: Figure, n: number) => (isCpu(f) ? round6(n) : Math.round(n));

// ---------------------------------------------------------------------------------------------
// json

function figuresJson(r: ResourceFigures) {
  return { reservedCpus: round6(r.reservedCpus), limitCpus: round6(r.limitCpus), reservedMemory: Math.round(r.reservedMemory), limitMemory: Math.round(r.limitMemory) };
}

function changeJson(b: ResourceFigures, a: ResourceFigures) {
  const d = (f: Figure) => (isCpu(f) ? round6(a[f] - b[f]) : Math.round(a[f] - b[f]));
  const rel = (f: Figure) => (b[f] > 0 ? round6((a[f] - b[f]) / b[f]) : null);
  return {
    delta: { reservedCpus: d('reservedCpus'), limitCpus: d('limitCpus'), reservedMemory: d('reservedMemory'), limitMemory: d('limitMemory') },
    relative: { reservedCpus: rel('reservedCpus'), limitCpus: rel('limitCpus'), reservedMemory: rel('reservedMemory'), limitMemory: rel('limitMemory') },
  };
}

function serviceJson(r: ServiceResources) {
  return { replicas: r.replicas, tasks: r.tasks, perTask: r.perTask, ...figuresJson(r) };
}

function totalsJson(t: ResourceTotals) {
  return { tasks: t.tasks, unlimited: t.unlimited, global: t.global, ...figuresJson(t) };
}

function fitJson(f: Fit) {
  return {
    fits: f.fits,
    unplaced: f.unplaced,
    nodesNeeded: f.needed.nodes,
    ...(f.needed.nodes === null ? { tooLarge: f.needed.tooLarge.service } : {}),
  };
}

/** The JSON document (schemas/resources.schema.json). */
export function ledgerDocument(report: LedgerReport) {
  const costs = (b: ResourceFigures, a: ResourceFigures) => (report.prices ? { monthlyCost: { before: round2(monthlyCost(b, report.prices)), after: round2(monthlyCost(a, report.prices)) } } : {});
  const g = grandTotals(report);
  const cluster = report.cluster;
  return {
    format: RESOURCES_FORMAT,
    tool: { name: 'stackopt', version: report.version },
    preset: report.preset,
    usage: report.usageFile,
    prices: report.prices ? { cpuHour: report.prices.cpuHour, gibHour: report.prices.gibHour, hoursPerMonth: HOURS_PER_MONTH } : null,
    nodes: cluster
      ? {
          source: cluster.source,
          count: cluster.cluster.kind === 'snapshot' ? cluster.cluster.nodes.length : cluster.cluster.count,
          size: { cpus: round6(cluster.cluster.size.cpus), memory: Math.round(cluster.cluster.size.memory) },
        }
      : null,
    stacks: report.stacks.map(({ ledger, fit }) => ({
      file: ledger.file,
      files: ledger.files,
      target: ledger.target,
      fixes: ledger.fixes,
      globalTasksPerService: ledger.count.nodes ?? 1,
      services: ledger.rows.map((r) => ({
        service: r.service,
        mode: r.after.mode,
        global: r.after.global,
        before: serviceJson(r.before),
        after: serviceJson(r.after),
        change: changeJson(r.before, r.after),
        observed: r.observed
          ? {
              samples: r.observed.samples,
              seconds: r.observed.seconds,
              cpu: { p95: r.observed.cpu.p95 === null ? null : round6(r.observed.cpu.p95), peak: round6(r.observed.cpu.peak) },
              memory: { p95: r.observed.memory.p95 === null ? null : Math.round(r.observed.memory.p95), peak: Math.round(r.observed.memory.peak) },
            }
          : null,
        ...costs(r.before, r.after),
      })),
      totals: { before: totalsJson(ledger.totals.before), after: totalsJson(ledger.totals.after), change: changeJson(ledger.totals.before, ledger.totals.after), ...costs(ledger.totals.before, ledger.totals.after) },
      fit: fit ? { before: fitJson(fit.before), after: fitJson(fit.after) } : null,
    })),
    totals: { before: totalsJson(g.before), after: totalsJson(g.after), change: changeJson(g.before, g.after), ...costs(g.before, g.after) },
  };
}
