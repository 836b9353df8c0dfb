import type { Target } from '../engine/target.js';
import type { Severity } from '../engine/types.js';

/** The address editors read the configuration's schema from (the YAML language server's modeline). */
export const CONFIG_SCHEMA_URL = 'https://raw.githubusercontent.com/stackopt/stackopt/main/schemas/config.schema.json';

/** What `stackopt init` found in a repository, for the configuration it writes. */
export interface InitFacts {
  /** the files linted, as shown (relative to the folder the configuration is written in) */
  files: Array<{ file: string; target: Target; reason: string; config?: string }>;
  /** per rule with findings today: how many, and the rule's default severity; most first */
  rules: Array<{ id: string; count: number; severity: Severity }>;
  /** the baseline written beside the configuration, as the configuration names it */
  baseline?: string;
}

/** Rules with options, and an example of them, for the commented `rules:` block. */
const OPTION_EXAMPLES: ReadonlyArray<[string, string]> = [
  ['resource-limits', '{preset: small}'],
  ['healthcheck-required', '{ignoreImages: ["busybox*"]}'],
  ['image-tag-pinned', '{ignoreImages: ["localhost/*"]}'],
];

/** At most this many files are listed in the configuration's comments. */
const LISTED_FILES = 40;

/**
 * The target a configuration should name: the one every file it governs was detected as (files
 * under a configuration of their own do not count), else auto.
 */
export function initTarget(files: InitFacts['files']): 'auto' | Target {
  const targets = new Set(files.filter((f) => f.config === undefined).map((f) => f.target));
  return targets.size === 1 ? [...targets][0]! : 'auto';
}

/** The text of a commented `.stackopt.yaml` for a repository (it must validate as it is). */
export function renderInitConfig(facts: InitFacts): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  const { files } = facts;
  line('# stackopt configuration, written by `stackopt init`. Every key is optional.');
  line('# It applies to the compose files in this folder and below; a .stackopt.yaml further down');
  line('# replaces it for the files under it (the nearest configuration alone applies, they do not merge).');
  line(`# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}`);
  line('#');
  if (files.length === 0) {
    line('# No compose files were found here yet (compose.y{a,}ml, docker-compose*.y{a,}ml, *stack*.y{a,}ml).');
  } else {
    line(`# \`stackopt lint\` without a path lints the ${files.length === 1 ? 'file' : `${files.length} files`} found today (target, and why):`);
    const width = Math.min(48, Math.max(...files.slice(0, LISTED_FILES).map((f) => f.file.length)));
    for (const f of files.slice(0, LISTED_FILES)) {
      const under = f.config ? `; configured by ${f.config}` : '';
      line(`#   ${f.file.padEnd(width)}  ${f.target}: ${f.reason}${under}`);
    }
    if (files.length > LISTED_FILES) line(`#   ... and ${files.length - LISTED_FILES} more`);
  }
  line();

  const target = initTarget(files);
  const governed = files.filter((f) => f.config === undefined);
  line('# What the files are deployed with: compose (docker compose), swarm (docker stack deploy), or');
  line('# auto (per file: swarm for a file named *stack* or using swarm-only keys). --target wins over it.');
  if (governed.length === 0) line('# Detected: nothing yet.');
  else if (target === 'auto') {
    const swarm = governed.filter((f) => f.target === 'swarm').length;
    const compose = governed.length - swarm;
    line(`# Detected: ${swarm} swarm ${swarm === 1 ? 'file' : 'files'} and ${compose} compose ${compose === 1 ? 'file' : 'files'}, so auto decides per file.`);
  } else line(`# Detected: ${governed.length === 1 ? 'the file is a' : `all ${governed.length} files are`} ${target === 'swarm' ? 'swarm stack file' : 'compose file'}${governed.length === 1 ? '' : 's'}.`);
  line(`target: ${target}`);
  line();

  if (facts.baseline !== undefined) {
    line('# The findings of today, recorded by `stackopt init --baseline`: they are not reported, new ones are.');
    line(`# Record them again with \`stackopt lint --write-baseline ${facts.baseline}\`; --baseline FILE wins over it.`);
    line(`baseline: ${yamlString(facts.baseline)}`);
  } else {
    line('# A baseline of findings not to report (`stackopt lint --write-baseline FILE` records them):');
    line('# baseline: .stackopt-baseline.json');
  }
  line();

  line('# The lowest severity that fails `stackopt lint` (exit 1): error (the default), warning, info,');
  line('# or none. --fail-on wins over it; -q shows only the findings at or above it.');
  line('# failOn: warning');
  line();

  line('# Per rule: off, info, warning or error, or {severity, options}; --rule ID:SEVERITY wins over it.');
  line('# `stackopt rules` lists the rules, `stackopt rules ID` explains one.');
  if (facts.rules.length > 0) {
    line('# The rules with findings here today, at their default severity, most findings first:');
    line('# rules:');
    const width = Math.max(...facts.rules.map((r) => r.id.length + r.severity.length)) + 2;
    for (const r of facts.rules) line(`#   ${`${r.id}: ${r.severity}`.padEnd(width)}  # ${r.count} ${r.count === 1 ? 'finding' : 'findings'}`);
  } else {
    line('# rules:');
    line('#   healthcheck-required: warning');
    line('#   ports-host-ip: off');
  }
  // a rule with options, as an example: one the list above does not name (a key appears once)
  const listed = new Set(facts.rules.map((r) => r.id));
  const example = OPTION_EXAMPLES.find(([id]) => !listed.has(id));
  if (example) {
    line(`#   ${example[0]}:`);
    line(`#     options: ${example[1]}`);
  }
  line();

  line('# Files not to lint, as .gitignore patterns relative to this folder (.gitignore is honoured too):');
  line('# ignore:');
  line('#   - legacy/');
  line('#   - "**/*.generated.yml"');
  line();
  line('# Services critical-single-replica treats as critical, beside the built-in proxies, gateways,');
  line('# databases and brokers (service names with "name:", else images):');
  line('# critical:');
  line('#   patterns: ["name:payments", "registry.example.com/core/*"]');
  line();
  line('# The limits `stackopt fix` adds to services without them: preset edge, small, default or large,');
  line('# and per service class (database, cache, broker, proxy, backend, default):');
  line('# sizing:');
  line('#   preset: default');
  line('#   classes:');
  line('#     database: {cpus: 2, memory: 4G}');
  line();
  line('# Folders outside the project that extends.file and .env may name, relative to this folder:');
  line('# allowPaths:');
  line('#   - ../shared');
  return `${out.join('\n')}\n`;
}

/** A path as a YAML scalar: plain when it cannot read as anything but that string, else double-quoted. */
function yamlString(s: string): string {
  return /^[\w./-]+\.json$/.test(s) && !s.startsWith('-') ? s : JSON.stringify(s);
}
