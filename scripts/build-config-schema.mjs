#!/usr/bin/env node
// Generates schemas/config.schema.json (the schema of .stackopt.yaml) from the rules' metadata, and
// compiles it into standalone ajv code in src/generated/config-validator.ts. Run by
// scripts/build-schemas.mjs (npm run build) after src/generated/validators.ts is written, because
// rules import the generated validators. The rule catalogue is read by bundling
// src/engine/registry.ts with esbuild into node_modules/.cache and importing it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The rule catalogue: id, description, default severity, options schema, as the CLI has them. */
async function readCatalogue() {
  const outfile = join(root, 'node_modules/.cache/stackopt/catalogue.mjs');
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    stdin: {
      contents: "export { allRules } from './src/engine/registry.ts';",
      resolveDir: root,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const mod = await import(`${pathToFileURL(outfile).href}?v=${Date.now()}`);
  return mod.allRules.map((r) => r.meta);
}

const SEVERITY = { $ref: '#/definitions/severity' };

/** The config schema for a rule catalogue. */
export function configSchemaFor(rules) {
  const sizingProps = rules.find((m) => m.id === 'resource-limits')?.options?.schema?.properties ?? {};
  const sizingOption = (key, fallback, description) => ({ ...(sizingProps[key] ?? fallback), description });
  const ruleProps = {};
  for (const m of rules) {
    const options = m.options?.schema
      ? { ...m.options.schema, description: `options of ${m.id}; defaults: ${JSON.stringify(m.options.defaults ?? {})}` }
      : { description: `${m.id} has no options`, type: 'object', additionalProperties: false, maxProperties: 0 };
    ruleProps[m.id] = {
      description: `${m.description} Default severity: ${m.severity}.`,
      // if/then/else rather than oneOf: an error then names what is wrong inside the chosen form
      type: ['string', 'object'],
      if: { type: 'string' },
      then: SEVERITY,
      else: { type: 'object', additionalProperties: false, properties: { severity: SEVERITY, options } },
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/stackopt/stackopt/blob/main/schemas/config.schema.json',
    title: 'stackopt configuration (.stackopt.yaml)',
    description:
      'Generated from the rules\' metadata by scripts/build-config-schema.mjs (npm run build): do not edit. Each file linted uses the nearest .stackopt.yaml (or .stackopt.yml): in its folder or the closest folder above it, up to the root of its git repository; the nearest file alone applies (they do not merge). --config names one file for all.',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { description: 'the schema this file follows, for editors', type: 'string' },
      target: {
        description:
          'What the files are deployed with: compose (docker compose), swarm (docker stack deploy), or auto (from the file name and swarm-only keys). --target overrides it.',
        enum: ['auto', 'compose', 'swarm'],
      },
      rules: {
        description: 'Per rule: a severity (off, info, warning, error), or {severity, options}.',
        type: 'object',
        additionalProperties: false,
        properties: ruleProps,
      },
      critical: {
        description:
          'Which services critical-single-replica treats as critical. Patterns match the service name or its image, case-insensitively, with * and ? wildcards; a "name:" prefix matches service names only (e.g. "payments", "name:*-db", "registry.example.com/core/*").',
        type: 'object',
        additionalProperties: false,
        properties: {
          patterns: { description: 'critical services, added to the built-in list of proxies, gateways, databases and brokers', $ref: '#/definitions/patterns' },
          ignore: { description: 'services never critical by name or image (x-stackopt: {critical: true} still counts)', $ref: '#/definitions/patterns' },
          replaceDefaults: { description: 'true: only `patterns` are critical, the built-in list is not used (default false)', type: 'boolean' },
        },
      },
      sizing: {
        description: 'How stackopt fix sizes the resource limits it adds (resource-limits options): a preset, per-class overrides and the reservation ratio.',
        type: 'object',
        additionalProperties: false,
        properties: {
          preset: sizingOption('preset', { type: 'string', minLength: 1 }, 'the sizing preset'),
          classes: sizingOption('sizing', { type: 'object' }, 'limits per service class replacing the preset\'s, e.g. {database: {cpus: 2, memory: 4G}}'),
          reservationRatio: sizingOption('reservationRatio', { type: 'number', exclusiveMinimum: 0, maximum: 1 }, 'reservations as a fraction of the limits'),
        },
      },
      ignore: {
        description: 'Files not to lint, as .gitignore patterns relative to the folder of this file (e.g. "legacy/", "**/*.generated.yml").',
        $ref: '#/definitions/patterns',
      },
      failOn: {
        description:
          'The lowest severity that fails `stackopt lint` (exit 1): error (the default), warning, info, or none (findings never fail the run). -q shows only findings at or above it. --fail-on overrides it.',
        enum: ['error', 'warning', 'info', 'none'],
      },
      baseline: {
        description:
          'A baseline file (written by `stackopt lint --write-baseline FILE` or `stackopt init --baseline`), relative to the folder of this file: findings it records are not reported. --baseline overrides it.',
        type: 'string',
        minLength: 1,
      },
      allowPaths: {
        description:
          'Folders (or files) outside the project that compose files may point at (extends.file, the .env beside the first file), relative to the folder of this file (e.g. "../shared"). The project is the folders of the files named on the command line; anything else is refused. See docs/security.md.',
        $ref: '#/definitions/patterns',
      },
    },
    definitions: {
      severity: { enum: ['off', 'info', 'warning', 'error'] },
      patterns: { type: 'array', items: { type: 'string', minLength: 1 } },
    },
  };
}

/** Drop prose (description, title) before compiling: it is only needed by editors. */
function stripProse(node) {
  if (Array.isArray(node)) return node.map(stripProse);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'description' || k === 'title') && typeof v !== 'object') continue;
    out[k] = stripProse(v);
  }
  return out;
}

/** Write schemas/config.schema.json from the current rule catalogue; returns the schema. */
export async function generateConfigSchema() {
  const schema = configSchemaFor(await readCatalogue());
  writeFileSync(join(root, 'schemas/config.schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
  return schema;
}

/** Compile the config schema into src/generated/config-validator.ts (export validateConfig). */
export function compileConfigValidator(schema) {
  const { $schema: _meta, ...s } = stripProse(schema);
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true, esm: true, lines: false, optimize: true } });
  ajv.addSchema(s, s.$id);
  let code = standaloneCode(ajv, { validateConfig: s.$id });
  const runtime = new Map();
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_m, mod) => {
    const name = `runtime_${mod.split('/').pop()}`;
    runtime.set(name, mod);
    return `(${name}.default ?? ${name})`;
  });
  if (/require\(/.test(code)) throw new Error('build-config-schema: generated code still calls require()');
  const header = [...runtime].map(([name, mod]) => `import ${name} from '${mod}.js';`).join('\n');
  const out = join(root, 'src/generated/config-validator.ts');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `// @ts-nocheck\n// Generated by scripts/build-config-schema.mjs from schemas/config.schema.json: do not edit.\n${header}\n${code.replace(/^"use strict";/, '')}\n`);
  const rules = Object.keys(schema.properties.rules.properties).length;
  console.error(`build-config-schema: ${rules} rules -> schemas/config.schema.json, src/generated/config-validator.ts`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  compileConfigValidator(await generateConfigSchema());
}
