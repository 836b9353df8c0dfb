import { isTargetSetting, type TargetSetting } from '../engine/target.js';
import { CliError } from './exit-codes.js';

/** What every command needs from the program: output streams, the version and the exit code. */
export interface GlobalContext {
  version: string;
  stdout(text: string): void;
  stderr(line: string): void;
  isTTY: boolean;
  exitCode: number;
  debug: boolean;
}

/** Commander's argument parser for a repeatable option: every value, in order. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The value of `--target` (lint, fix). */
export function parseTarget(v: string): TargetSetting {
  if (!isTargetSetting(v)) throw new CliError(`--target takes compose, swarm or auto, not "${v}"`);
  return v;
}

/** Colour or not: --no-color, then NO_COLOR, then FORCE_COLOR, else whether stdout is a terminal. */
export function useColor(flag: boolean | undefined, g: GlobalContext): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return g.isTTY;
}
