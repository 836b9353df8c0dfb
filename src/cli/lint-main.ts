import { lintOperands, registerLint } from './lint-command.js';
import { runProgram, type CommandEntry, type RunIO } from './program.js';
// the same interface as main.ts, for bin/stackopt.js
export { describeOutputError, type RunIO } from './program.js';
export { writeFully } from '../parse/write-file.js';
export { observeInputSizes } from '../parse/read-text.js';
export { saveCodeCaches, useCodeCache } from '../engine/code-cache.js';

/**
 * The CLI of `stackopt lint`: the entry of the second bundle (dist/bundle/lint.cjs), which
 * bin/stackopt.js loads when argv's command is `lint`. It builds the program as main.ts does for
 * such an argv (the lint command only), without the code of the other commands.
 */
const COMMANDS: readonly CommandEntry[] = [['lint', registerLint, lintOperands]];

/** Run `stackopt lint` with argv (without node and script) and return the exit code. Never throws. */
export function run(argv: string[], io: RunIO = {}): Promise<number> {
  return runProgram(COMMANDS, argv, io);
}
