import { dirname, resolve } from 'node:path';
import { configFor, findConfigFile, readConfigFile } from '../config/find-config.js';
import { isIgnored } from '../config/ignore-patterns.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { InputError } from '../parse/read-document.js';
import { isInside } from '../parse/project-files.js';
import type { TargetSetting } from '../engine/target.js';

/**
 * The configurations of one lint or fix run: `--config F` for every file when given, else each
 * file's nearest `.stackopt.yaml` (src/config/find-config.ts).
 */
export class CommandConfigs {
  private readonly explicit: ResolvedConfig | null;
  private readonly reported = new Set<InputError>();

  /**
   * A bad `--config` file throws its InputError here: nothing is linted (exit 2). `onlyBelow`
   * (for `stackopt init`, about to write a configuration there): configurations in that folder or
   * above it are not used.
   */
  constructor(
    explicitPath?: string,
    private readonly onlyBelow?: string,
  ) {
    this.explicit = explicitPath === undefined ? null : readConfigFile(explicitPath);
  }

  /** The configuration of a file (of a project: its first file); throws the InputError of a bad one. */
  of(file: string): ResolvedConfig | null {
    if (this.explicit) return this.explicit;
    if (this.onlyBelow === undefined) return configFor(file);
    const path = findConfigFile(dirname(resolve(file)));
    // strictly below: the folder's own configuration is not one of those below it
    return path && dirname(path) !== resolve(this.onlyBelow) && isInside(resolve(this.onlyBelow), dirname(path)) ? readConfigFile(path) : null;
  }

  /**
   * The configuration of a project's first file, or undefined when it cannot be used: its error is
   * told once (however many files it covers) and the project is skipped.
   */
  forProject(file: string, onError: (e: InputError) => void): ResolvedConfig | null | undefined {
    try {
      return this.of(file);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      if (!this.reported.has(e)) {
        this.reported.add(e);
        onError(e);
      }
      return undefined;
    }
  }

  /**
   * Whether the `ignore` patterns of the configuration that applies to a path match it (for
   * discovery). A configuration that cannot be used ignores nothing: its error comes when the file
   * is linted.
   */
  readonly ignores = (absPath: string, isDir: boolean, checkParents: boolean): boolean => {
    let config: ResolvedConfig | null;
    try {
      config = this.of(absPath);
    } catch (e) {
      if (e instanceof InputError) return false;
      throw e;
    }
    return config?.ignore ? isIgnored([config.ignore], absPath, isDir, checkParents) : false;
  };

  /** The `target` of the configuration that applies to a path; none where it cannot be used (its error comes when the file is linted). */
  targetOf(absPath: string): TargetSetting | undefined {
    try {
      return this.of(absPath)?.target;
    } catch (e) {
      if (e instanceof InputError) return undefined;
      throw e;
    }
  }

  /** The configuration file whose patterns ignore a path, as shown to the user. */
  ignoredBy(path: string): string {
    return this.of(path)?.shownPath ?? 'the configuration';
  }
}
