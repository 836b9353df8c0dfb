import type { Command } from 'commander';
import { registerAudit } from './audit-command.js';
import { registerFix } from './fix-command.js';
import { registerInit } from './init-command.js';
import { lintOperands, registerLint } from './lint-command.js';
import { registerLsp } from './lsp-command.js';
import { buildProgramOf, runProgram, type CommandEntry, type RunIO } from './program.js';
import { registerRules } from './rules-command.js';
import { registerResources } from './resources-command.js';
import { registerUsage } from './usage-command.js';
import type { GlobalContext } from './shared.js';
// bin/stackopt.js sizes V8 by the inputs read, tells output errors in words,
export { describeOutputError, type RunIO } from './program.js';
export { writeFully } from '../parse/write-file.js';
export { observeInputSizes } from '../parse/read-text.js';
// and keeps the code caches of the scripts the bundle loads beside itself
export { saveCodeCaches, useCodeCache } from '../engine/code-cache.js';

/** The commands, in the order of the program's help. */
const COMMANDS: readonly CommandEntry[] = [
  ['lint', registerLint, lintOperands],
  ['fix', registerFix],
  ['rules', registerRules],
  ['init', registerInit],
  ['audit', registerAudit],
  ['resources', registerResources],
  ['usage', registerUsage],
  ['lsp', registerLsp],
];

/** Build the program: every command, or given `argv` and when it names a command, that command only. */
export function buildProgram(g: GlobalContext, argv?: readonly string[]): Command {
  return buildProgramOf(COMMANDS, g, argv);
}

/** Run the CLI with argv (without node and script) and return the exit code. Never throws. */
export function run(argv: string[], io: RunIO = {}): Promise<number> {
  return runProgram(COMMANDS, argv, io);
}
