#!/usr/bin/env node
// Compiles the JSON schemas the CLI validates against into standalone ajv code at build time, so
// that no schema is compiled when stackopt starts. Output: src/generated/validators.ts (which
// re-exports the compose-spec validator of src/generated/compose-validator.ts),
// src/generated/stack-validator.ts and dist/stack-validators/.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv, { _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { linearUniqueItems } from './ajv-unique-items.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (p) => JSON.parse(readFileSync(join(root, p), 'utf8'));

/** validators exported by name: [export name, schema file] (the compose-spec one is below, in a module of its own) */
const validators = [
  ['validateSleepPolicy', 'schemas/sleep-policy.schema.json'],
  ['validateUsageProfile', 'schemas/usage-profile.schema.json'],
];

/** Drop prose (description, title) from a schema: it is not needed to validate and only costs load time. */
function stripProse(node) {
  if (Array.isArray(node)) return node.map(stripProse);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'description' || k === 'title' || k === 'deprecated') && typeof v !== 'object') continue;
    out[k] = stripProse(v);
  }
  return out;
}

/**
 * The compose-spec and docker stack schemas, with the schema of each property larger than a few
 * checks moved into `definitions` and referred to, for ajv's `inlineRefs: false`: each becomes a
 * function of its own, which V8 compiles only when a file has that property. Inlined (ajv's
 * default), a service's ninety-odd properties (and every `list_or_dict` they use, copied in each
 * place) are one function of tens of kilobytes that a lint of any file compiles whole, and that
 * bytecode is most of the code cache a small lint reads at start-up. Errors are the same (ajv
 * appends a called validator's errors where the inlined checks would have pushed them, with the
 * same instancePath, keyword, params and message); only their schemaPath differs, which nothing
 * reads for these schemas (the usage profile's messages do read it: its schema is compiled as before).
 */
const OUTLINE_MIN_CHARS = 200;
function outlineProperties(schema) {
  const s = structuredClone(schema);
  const defs = (s.definitions ??= {});
  const taken = new Set(Object.keys(defs));
  const visit = (node, where) => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, where);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') continue; // values, not schemas
      if (k !== 'properties' || v === null || typeof v !== 'object' || Array.isArray(v)) {
        if (k !== 'definitions') visit(v, where);
        continue;
      }
      for (const [p, sub] of Object.entries(v)) {
        visit(sub, `${where}.${p}`);
        const onlyRef = sub !== null && typeof sub === 'object' && '$ref' in sub && Object.keys(sub).length === 1;
        if (sub === null || typeof sub !== 'object' || onlyRef || JSON.stringify(sub).length < OUTLINE_MIN_CHARS) continue;
        let name = `${where}.${p}`.replace(/[^A-Za-z0-9_.-]/g, '_');
        while (taken.has(name)) name += '_';
        taken.add(name);
        defs[name] = sub;
        v[p] = { $ref: `#/definitions/${name}` };
      }
    }
  };
  for (const [name, d] of Object.entries({ ...defs })) visit(d, name);
  visit(s, '');
  return s;
}

/**
 * ajv's standalone code keeps a schema object (`const schema12 = {...}`) where a check reads a part
 * of it (`schema12.properties` for additionalProperties, an enum's values): for the root schema
 * that is the whole schema, definitions included, built when the module loads. Each such object is
 * cut down to the paths the code reads (`schemaN.a.b` keeps all of `a.b`); one read of it whole,
 * or by a computed key, keeps it whole.
 */
function pruneSchemaObjects(code) {
  code = linearErrorMerge(code);
  let out = '';
  let from = 0;
  for (const m of code.matchAll(/\bconst (schema\d+) = (?=[[{])/g)) {
    const start = m.index + m[0].length;
    const end = jsonEnd(code, start);
    const name = m[1];
    const rest = code.slice(0, m.index) + code.slice(end);
    const reads = [...rest.matchAll(new RegExp(`\\b${name}\\b((?:\\.[A-Za-z_$][\\w$]*)*)(\\[?)`, 'g'))];
    if (reads.some((r) => r[1] === '' || r[2] === '[')) continue;
    const pruned = keepPaths(JSON.parse(code.slice(start, end)), reads.map((r) => r[1].slice(1).split('.')));
    out += code.slice(from, start) + JSON.stringify(pruned);
    from = end;
  }
  return out + code.slice(from);
}
/**
 * A called validator's errors appended to the caller's in place. ajv writes
 * `vErrors = vErrors === null ? v.errors : vErrors.concat(v.errors)`: a copy of every error found so
 * far at each call that fails, so a file with an error in each of n services (an unknown key in
 * each) copied n²/2 errors (64,000 services: 23 s with target compose, 43 s with target swarm). The
 * errors, their order and the arrays' contents are the same; the caller's list now grows in place,
 * as ajv's own errors (`vErrors.push(err)`) already make it grow.
 */
function linearErrorMerge(code) {
  const out = code.replace(/vErrors = vErrors === null \? (\w+)\.errors : vErrors\.concat\(\1\.errors\);/g, (_m, v) => `if (vErrors === null) {vErrors = ${v}.errors;} else {for (const e of ${v}.errors) vErrors.push(e);}`);
  // another ajv may write the merge otherwise: the build stops rather than keep the copies unseen
  if (out.includes('vErrors.concat(')) throw new Error('build-schemas: a validator still appends errors with vErrors.concat(...): update linearErrorMerge for this ajv');
  return out;
}
/** Index just past the JSON value that starts at `i` (ajv writes them with JSON.stringify). */
function jsonEnd(text, i) {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') {
      for (j++; text[j] !== '"'; j++) if (text[j] === '\\') j++;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (--depth === 0) return j + 1;
    }
  }
  throw new Error('build-schemas: unterminated schema object in generated code');
}
/** The parts of `value` at the given key paths, each whole; an empty path keeps everything. */
function keepPaths(value, paths) {
  if (paths.some((p) => p.length === 0) || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out = {};
  for (const key of new Set(paths.map((p) => p[0]))) {
    if (Object.hasOwn(value, key)) out[key] = keepPaths(value[key], paths.filter((p) => p[0] === key).map((p) => p.slice(1)));
  }
  return out;
}

/** ajv's standalone ESM code with its runtime helpers imported (ajv's ESM output still require()s them). */
function esmStandalone(ajv, refs, what) {
  const runtime = new Map();
  const code = pruneSchemaObjects(standaloneCode(ajv, refs)).replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_m, mod) => {
    const name = `runtime_${mod.split('/').pop()}`;
    runtime.set(name, mod);
    return `(${name}.default ?? ${name})`;
  });
  if (/require\(/.test(code)) throw new Error(`build-schemas: generated ${what} code still calls require()`);
  return { code: code.replace(/^"use strict";/, ''), imports: [...runtime].map(([name, mod]) => `import ${name} from '${mod}.js';`) };
}

const ajv = new Ajv({
  allErrors: true,
  strict: false,
  code: { source: true, esm: true, lines: false, optimize: true },
});
linearUniqueItems(ajv);
const refs = {};
for (const [name, file] of validators) {
  const { $schema: _meta, ...schema } = stripProse(read(file)); // draft-07 in both; ajv 8 is draft-07 by default
  const id = schema.$id ?? file;
  ajv.addSchema(schema, id);
  refs[name] = id;
}
const generated = esmStandalone(ajv, refs, 'validators');
const out = join(root, 'src/generated/validators.ts');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `// @ts-nocheck\n// Generated by scripts/build-schemas.mjs from schemas/: do not edit.\n${generated.imports.join('\n')}\nexport { validateCompose } from './compose-validator.js';\n${generated.code}\n`,
);
console.error(`build-schemas: ${validators.length + 1} validators, ${(generated.code.length / 1024).toFixed(0)} KiB -> src/generated/validators.ts`);

// The compose-spec validator: its own Ajv (properties outlined, refs not inlined) and module.
{
  const composeAjv = new Ajv({
    allErrors: true,
    strict: false,
    inlineRefs: false,
    code: { source: true, esm: true, lines: false, optimize: true },
  });
  linearUniqueItems(composeAjv);
  // compose-spec uses "format" only as an annotation; the formats it names are not enforced by compose.
  composeAjv.addFormat('duration', true).addFormat('ports', true).addFormat('expose', true);
  const file = 'schemas/compose-spec/compose-spec.json';
  const { $schema: _meta, ...schema } = outlineProperties(stripProse(read(file)));
  composeAjv.addSchema(schema, schema.$id);
  const compose = esmStandalone(composeAjv, { validateCompose: schema.$id }, 'compose-spec');
  writeFileSync(
    join(root, 'src/generated/compose-validator.ts'),
    `// @ts-nocheck\n// Generated by scripts/build-schemas.mjs from ${file}: do not edit.\n${compose.imports.join('\n')}\n${compose.code}\n`,
  );
  console.error(`build-schemas: compose-spec validator, ${(compose.code.length / 1024).toFixed(0)} KiB -> src/generated/compose-validator.ts`);
}

// ---------------------------------------------------------------------------------------------
// The docker stack schemas (schemas/docker-stack/config_schema_v3.0.json to v3.13), used with
// target swarm: docker validates a stack file against the schema of the version it declares (3.13
// when it declares none, or "3"). They are JSON Schema draft-04; rather than add a draft-04 meta-schema package, it is converted to
// draft-07 here, at build time, which for this schema means only: drop `$schema` and the draft-04
// `id` annotations (fragment ids such as "#/definitions/service" that no $ref uses; draft-07
// would read them as base URIs). It uses no other draft-04-only keyword (no boolean
// exclusiveMinimum/Maximum). Its custom formats are checked as `docker stack config` checks them:
// `duration` (Go time.ParseDuration) and `ports` (nat.ParsePortSpec) by the functions of
// src/parse/stack-formats.ts, which the generated code imports; `expose` is not checked.
// Own Ajv instance and own output file, so that the compose-spec formats stay annotations only.
{
  const file = 'schemas/docker-stack/config_schema_v3.13.json';
  /** draft-04 → draft-07: remove `id` annotations (not property names) and `$schema`. */
  const toDraft07 = (node, inProperties = false) => {
    if (Array.isArray(node)) return node.map((n) => toDraft07(n));
    if (node === null || typeof node !== 'object') return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (!inProperties && (k === '$schema' || (k === 'id' && typeof v === 'string'))) continue;
      const mapOfSchemas = !inProperties && (k === 'properties' || k === 'patternProperties' || k === 'definitions');
      out[k] = mapOfSchemas ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toDraft07(s)])) : toDraft07(v);
    }
    return out;
  };
  const stackSchemaOf = (version) => ({
    $id: `docker_stack_config_schema_v${version}.json`,
    ...outlineProperties(toDraft07(stripProse(read(`schemas/docker-stack/config_schema_v${version}.json`)))),
  });
  const stackAjvFor = (esm) => {
    const a = new Ajv({
      allErrors: true,
      strict: false,
      inlineRefs: false,
      code: { source: true, esm, lines: false, optimize: true, formats: _`stackFormats` },
    });
    // Placeholders for compiling: the generated code calls stackFormats.<name>(value) at run time.
    for (const name of ['duration', 'ports', 'expose']) a.addFormat(name, () => true);
    linearUniqueItems(a);
    return a;
  };

  // 3.13, the schema of most stack files, is part of the bundle. The older ones (as large each,
  // 150-200 KiB of code, and rare) are separate CommonJS files under dist/stack-validators/, each
  // loaded only when a file declares its version (src/engine/swarm-schema.ts). Each exports a
  // function that takes the format checkers and returns the validator. The file is one function
  // expression of `module`, `exports` and `require`, so that the loader compiles it as it is read
  // (wrapping it there made one more copy of its 80-135 KB: about 30 page faults of a small lint).
  const oldOut = join(root, 'dist/stack-validators');
  rmSync(oldOut, { recursive: true, force: true });
  mkdirSync(oldOut, { recursive: true });
  let oldBytes = 0;
  for (let minor = 0; minor < 13; minor++) {
    const schema = stackSchemaOf(`3.${minor}`);
    const oldAjv = stackAjvFor(false);
    oldAjv.addSchema(schema, schema.$id);
    const code = pruneSchemaObjects(standaloneCode(oldAjv, { validate: schema.$id }));
    // the loader (src/engine/swarm-schema.ts) serves these two helpers from the bundle, and no other module
    if (/require\((?!"ajv\/dist\/runtime\/(?:equal|ucs2length)")/.test(code)) throw new Error(`build-schemas: stack schema 3.${minor} requires more than ajv's equal and ucs2length (add it to AJV_RUNTIME in src/engine/swarm-schema.ts)`);
    const wrapped = `(function (module, exports, require) {\n// Generated by scripts/build-schemas.mjs from schemas/docker-stack/config_schema_v3.${minor}.json: do not edit.\n"use strict";\nmodule.exports = function (stackFormats) {\n  const module = { exports: {} };\n  const exports = module.exports;\n${code.replace(/^"use strict";/, '')}\n  return module.exports.validate;\n};\n\n})`;
    // src/engine/swarm-schema.ts reads it as Latin-1, which is its text only when it is ASCII
    if (/[^\u0000-\u007f]/.test(wrapped)) throw new Error(`build-schemas: the stack schema 3.${minor} validator is not ASCII`);
    writeFileSync(join(oldOut, `config_schema_v3.${minor}.cjs`), wrapped);
    oldBytes += wrapped.length;
  }
  console.error(`build-schemas: 13 stack validators (3.0 to 3.12), ${(oldBytes / 1024).toFixed(0)} KiB -> dist/stack-validators/`);

  const stackSchema = stackSchemaOf('3.13');
  const stackAjv = stackAjvFor(true);
  stackAjv.addSchema(stackSchema, stackSchema.$id);
  const stack = esmStandalone(stackAjv, { validateStack: stackSchema.$id }, 'stack');
  const stackHeader = [`import * as stackFormats from '../parse/stack-formats.js';`, ...stack.imports].join('\n');
  const stackCode = stack.code;
  const stackOut = join(root, 'src/generated/stack-validator.ts');
  writeFileSync(
    stackOut,
    `// @ts-nocheck\n// Generated by scripts/build-schemas.mjs from ${file}: do not edit.\n${stackHeader}\n${stackCode}\n`,
  );
  console.error(`build-schemas: stack validator, ${(stackCode.length / 1024).toFixed(0)} KiB -> src/generated/stack-validator.ts`);
}

// ---------------------------------------------------------------------------------------------
// The config schema (schemas/config.schema.json) is generated from the rules' metadata, which needs
// the validators above (rules import them), then compiled into src/generated/config-validator.ts.
{
  const { generateConfigSchema, compileConfigValidator } = await import('./build-config-schema.mjs');
  compileConfigValidator(await generateConfigSchema());
}
