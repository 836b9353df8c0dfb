import type { Env } from './interpolate.js';

/**
 * The shortest variable value kept out of messages by text replacement. Shorter values (`1`, `true`,
 * `host`) are not credentials and are words that messages use on their own; messages already show
 * what the file wrote for every value a variable went into (`showValue`), this is the net under it.
 */
export const MIN_REDACTED_LENGTH = 6;

/**
 * Keeps the values that variables gave to a project's files out of what stackopt prints: each
 * occurrence of such a value (from the environment, `.env` or `--env-file`) in a message or a fix
 * description becomes `${NAME}`. Only variables the files used are replaced (the environment holds
 * many values that are ordinary words).
 */
export class EnvRedactor {
  /** [value, replacement], longest value first (a value inside a longer one is replaced after it) */
  private readonly pairs: Array<[string, string]>;

  /** `env`: the variables, or several sets of them (an included project's own), the first one winning */
  constructor(env: Env | readonly Env[], names: Iterable<string>) {
    const byValue = new Map<string, string>();
    const envs = Array.isArray(env) ? (env as readonly Env[]) : [env as Env];
    for (const name of names) for (const e of envs) this.add(byValue, name, e.get(name));
    this.pairs = [...byValue].sort((a, b) => b[0].length - a[0].length);
  }

  private add(byValue: Map<string, string>, name: string, v: string | undefined): void {
    if (v === undefined || v.length < MIN_REDACTED_LENGTH) return;
    // one value set by several variables is named by the first
    if (!byValue.has(v)) byValue.set(v, `\${${name}}`);
    // a value written across lines is also replaced line by line (messages quote one line)
    for (const line of v.split(/\r?\n/)) if (line.trim().length >= MIN_REDACTED_LENGTH && !byValue.has(line)) byValue.set(line, `\${${name}}`);
  }

  /** Whether there is nothing to replace. */
  get empty(): boolean {
    return this.pairs.length === 0;
  }

  /**
   * `text` with every value replaced by the variable it came from, in any letter case (a rule may
   * have normalised it: image names are lower-cased).
   */
  redact(text: string): string {
    let out = text;
    let lower = out.toLowerCase();
    for (const [value, name] of this.pairs) {
      const v = value.toLowerCase();
      // a few characters change length in lower case: there offsets would not match, so match exactly
      if (lower.length !== out.length || v.length !== value.length) {
        out = out.split(value).join(name);
        lower = out.toLowerCase();
        continue;
      }
      let at = lower.indexOf(v);
      if (at < 0) continue;
      let next = '';
      let from = 0;
      for (; at >= 0; at = lower.indexOf(v, from)) {
        next += out.slice(from, at) + name;
        from = at + v.length;
      }
      out = next + out.slice(from);
      lower = out.toLowerCase();
    }
    return out;
  }
}
