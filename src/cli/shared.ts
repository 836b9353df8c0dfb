import { FAIL_ON_VALUES, isFailOn, type FailOn } from '../engine/fail-on.js';
import { isTargetSetting, type TargetSetting } from '../engine/target.js';
import { CliError, quoteValue } from './exit-codes.js';

/** What every command needs from the program: output streams, the version and the exit code. */
export interface GlobalContext {
  version: string;
  stdout(text: string): void;
  /**
   * Resolves once what was written to standard output has left the process (a pipe whose reader
   * is slower than the writer holds it until then); absent: nothing to wait for.
   */
  stdoutDrained?: () => Promise<void>;
  /**
   * Sets the process's exit status before a long write to standard output ends: a reader that
   * stops early (`| head`) ends the process on the closed pipe with the status set by then.
   * Absent when the output is not the process's own.
   */
  presetExitCode?: (code: number) => void;
  stderr(line: string): void;
  isTTY: boolean;
  exitCode: number;
  debug: boolean;
}

/**
 * Commander's argument parser for a repeatable option: every value, in order. The list it made for
 * the values before is added to, not copied (a copy for each of n `-f` took time that grew with n²).
 */
export const collect = (value: string, previous?: string[]): string[] => {
  if (previous === undefined) return [value];
  previous.push(value);
  return previous;
};

/** The value of `--target` (lint, fix). */
export function parseTarget(v: string): TargetSetting {
  if (!isTargetSetting(v)) throw new CliError(`--target takes compose, swarm or auto, not ${quoteValue(v)}`);
  return v;
}

/**
 * Colour or not: `--color` / `--no-color` (the last one given), then NO_COLOR, then FORCE_COLOR,
 * else whether stdout is a terminal. A flag on the command line wins over the environment, as the
 * NO_COLOR convention asks.
 */
export function useColor(flag: boolean | undefined, g: GlobalContext): boolean {
  if (flag !== undefined) return flag;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return g.isTTY;
}

/** The value of `--fail-on` (lint, audit). */
export function parseFailOn(v: string): FailOn {
  if (!isFailOn(v)) throw new CliError(`--fail-on takes ${FAIL_ON_VALUES.slice(0, -1).join(', ')} or ${FAIL_ON_VALUES.at(-1)}, not ${quoteValue(v)}`);
  return v;
}
