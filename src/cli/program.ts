import { Command, CommanderError, type OutputConfiguration } from 'commander';
import { showControls } from '../model/describe.js';
import { InputError } from '../parse/read-document.js';
import { describeFsError } from '../parse/read-text.js';
import { CliError, EXIT_INTERNAL, EXIT_USAGE, MAX_SHOWN_VALUE, quoteValue } from './exit-codes.js';
import { foreignFlagAdvice } from './foreign-flags.js';
import { packageVersion } from '../engine/package-info.js';
import { IncompleteInstallError } from '../engine/code-cache.js';
import type { GlobalContext } from './shared.js';

/** Why standard output or error could not be written, in words (bin/stackopt.js prints it). */
export function describeOutputError(e: unknown): string {
  return describeFsError(e, true);
}

export interface RunIO {
  stdout?: (text: string) => void;
  stderr?: (line: string) => void;
  isTTY?: boolean;
}

/**
 * A command: its name, what registers it on the program (each sets `g.exitCode`), and optionally
 * what runs it for an argv of its name and operands only (no option, no `-`, no `--`), as
 * commander would run it with every option at its default: such an argv (`stackopt lint
 * compose.yaml`, what a pre-commit hook passes) neither loads nor builds commander.
 */
export type CommandEntry = readonly [string, (program: Command, g: GlobalContext) => void, OperandsOnly?];
/** A command run for its operands (argv after its name), every option at its default; returns the exit code. */
export type OperandsOnly = (operands: string[], g: GlobalContext) => Promise<number>;

/**
 * The entry to run for argv without commander: argv is a command's name and operands only, and
 * the command has an OperandsOnly. An operand commander could read as an option (one starting
 * with `-`, `-` itself included) leaves argv to commander, as does a command without operands.
 */
function operandsOnly(commands: readonly CommandEntry[], argv: readonly string[]): OperandsOnly | undefined {
  if (argv.length < 2 || argv.some((a) => a.startsWith('-'))) return undefined;
  return commands.find(([name]) => name === argv[0])?.[2];
}

/**
 * The command `argv` runs, when its first word (after the program's own `--debug`) names one:
 * commander then dispatches to that command without looking at the others, so that only it needs
 * to be built (the other commands' options and help texts cost a small lint about 55 of its 4,200
 * page faults). bin/stackopt.js picks the lint bundle (lint-main.ts) by the same rule.
 * Anything else (`help`, `--help`, `--version`, an unknown or a missing command) gets them all.
 */
function namedCommand(commands: readonly CommandEntry[], argv: readonly string[]): string | undefined {
  const word = argv.find((a) => a !== '--debug');
  return commands.some(([name]) => name === word) ? word : undefined;
}

/**
 * Build the program with `commands`, or given `argv` and when it names one of them, that command
 * only (what it prints, its errors and exit codes are the same either way).
 */
export function buildProgramOf(commands: readonly CommandEntry[], g: GlobalContext, argv?: readonly string[]): Command {
  const program = new Command();
  program
    .name('stackopt')
    .description('Lint, harden and right-size Docker Compose and Swarm stack files, and audit a live swarm.')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  stackopt lint compose.yaml        report problems (exit 1 on errors)\n' +
        '  stackopt fix compose.yaml         write a fixed copy, compose.yaml.optimized\n' +
        '  stackopt audit --stack shop       audit a live swarm through the docker CLI (DOCKER_HOST, --context)\n' +
        '  stackopt resources stack.yml      reservations and limits before and after fix, fit on nodes\n' +
        '  stackopt usage record --stack shop --duration 1h -o usage.json   record what its services use\n' +
        '  stackopt rules                    list the rules; stackopt rules <id> explains one\n' +
        '  stackopt init --baseline          start on an existing repository: a .stackopt.yaml and a baseline\n\n' +
        'Run `stackopt <command> --help` for a command\'s options.',
    )
    .version(g.version, '-v, --version', 'print the version')
    .option('--debug', 'print stack traces of internal errors')
    .showSuggestionAfterError(true)
    .configureOutput(outputTo(g))
    .exitOverride();
  program.hook('preAction', (cmd) => {
    g.debug = Boolean(cmd.opts().debug);
  });
  const only = argv && namedCommand(commands, argv);
  for (const [name, register] of commands) if (!only || name === only) register(program, g);
  for (const c of program.commands) c.exitOverride().configureOutput(outputTo(g));
  return program;
}

/** Where commander writes: help to standard output, errors (their quoted values cut, see quoteValue) to standard error. */
function outputTo(g: GlobalContext): OutputConfiguration {
  return {
    writeOut: (s) => g.stdout(s),
    writeErr: (s) => g.stderr(s.replace(/\n$/, '')),
    outputError: (s, write) => write(s.split('\n').map(cutQuotedValue).join('\n')),
  };
}

/**
 * A line of a commander error with the value it quotes cut as quoteValue cuts it (`error: unknown
 * option '--…'`: the option or command as typed, which may be 100 KB); a line quoting nothing, or
 * a short value, as it is. The value is what lies between the line's first and last quote.
 */
function cutQuotedValue(line: string): string {
  const open = line.indexOf("'");
  const close = line.lastIndexOf("'");
  if (close - open - 1 <= MAX_SHOWN_VALUE) return line;
  return `${line.slice(0, open)}${quoteValue(line.slice(open + 1, close), "'")}${line.slice(close + 1)}`;
}

/** Run the CLI with `commands` on argv (without node and script) and return the exit code. Never throws. */
export async function runProgram(commands: readonly CommandEntry[], argv: string[], io: RunIO = {}): Promise<number> {
  // `npx stackopt -- lint ...` (the way to pass --env-file through npx on Node 20) hands us the `--`
  if (argv[0] === '--') argv = argv.slice(1);
  const g: GlobalContext = {
    version: packageVersion(),
    stdout: io.stdout ?? ((t) => process.stdout.write(t)),
    stdoutDrained: io.stdout ? undefined : () => (process.stdout.writableNeedDrain ? new Promise((done) => process.stdout.once('drain', done)) : Promise.resolve()),
    presetExitCode: io.stdout
      ? undefined
      : (code) => {
          process.exitCode = code;
        },
    stderr: io.stderr ?? ((l) => process.stderr.write(`${l}\n`)),
    isTTY: io.isTTY ?? Boolean(process.stdout.isTTY),
    exitCode: 0,
    debug: argv.includes('--debug'),
  };
  const advice = foreignFlagAdvice(argv);
  if (advice) {
    g.stderr(`stackopt: ${advice}`);
    return EXIT_USAGE;
  }
  const plain = operandsOnly(commands, argv);
  const program = plain ? null : buildProgramOf(commands, g, argv);
  try {
    if (plain) return await plain(argv.slice(1), g);
    await program!.parseAsync(argv, { from: 'user' });
    return g.exitCode;
  } catch (e) {
    // only a run commander parsed can throw its errors: asked otherwise, the lint bundle would load
    // commander (a file beside it) for the check, and report a broken install in place of the error
    if (program !== null && e instanceof CommanderError) {
      // help and version exit 0; everything else commander rejects is a usage error
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      g.stderr(`stackopt: ${showControls(e.message)}`);
      return e.exitCode;
    }
    if (e instanceof InputError) {
      g.stderr(`stackopt: ${showControls(e.message)}`);
      return EXIT_USAGE;
    }
    // nothing to report: the install is to be mended (exit 3, as the other failures of the install bin/stackopt.js tells)
    if (e instanceof IncompleteInstallError) {
      g.stderr(`stackopt: ${showControls(e.message)}`);
      return EXIT_INTERNAL;
    }
    const err = e as Error;
    g.stderr(`stackopt: internal error: ${err?.message ?? String(e)}${g.debug ? '' : ' (run with --debug for details, and please report it)'}`);
    if (g.debug && err?.stack) g.stderr(err.stack);
    return EXIT_INTERNAL;
  }
}
