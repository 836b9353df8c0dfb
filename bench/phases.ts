// The stages of a lint, run cold in a fresh process up to stage N (bench/phases.mjs builds and runs
// this): what each stage adds to the CPU time is the difference between N and N - 1.
import { allRules } from '../src/engine/registry.js';
import { runRules } from '../src/engine/run-rules.js';
import { validateCompose } from '../src/generated/validators.js';
import { buildModel } from '../src/model/build-model.js';
import { loadProject } from '../src/parse/load-project.js';
import { readFastYaml } from '../src/parse/fast-yaml.js';
import { parseSource, readSource } from '../src/parse/read-document.js';
import { checkSchema } from '../src/parse/validate-schema.js';

const STAGES = ['start (the harness loaded)', 'the fast reader (src/parse/fast-yaml.ts)', '+ the located tree', '+ the project (extends, -f, !reset)', '+ the compose schema', '+ the model', '+ the rules'];

if (process.argv[2] === '--stages') {
  console.log(JSON.stringify(STAGES));
  process.exit(0);
}
const file = process.argv[2]!;
const stage = Number(process.argv[3]);
const kept: unknown[] = [];
if (stage === 1) {
  kept.push(readFastYaml(readSource(file).text));
} else if (stage === 2) {
  kept.push(parseSource(readSource(file), new Map(), true, undefined, false));
} else if (stage >= 3) {
  // as lint reads it: no yaml nodes kept for fixes
  const project = loadProject({ files: [file], environment: {}, editable: false });
  kept.push(project);
  if (stage >= 4) kept.push(checkSchema(project.root!, validateCompose, {}));
  if (stage >= 5) {
    const stack = buildModel(project.root!, project.sources);
    kept.push(stack);
    if (stage >= 6) kept.push(runRules(stack, allRules));
  }
}
(globalThis as { kept?: unknown }).kept = kept;
