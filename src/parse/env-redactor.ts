import type { Env } from './interpolate.js';

/**
 * The shortest variable value kept out of messages by text replacement. Shorter values (`1`, `true`,
 * `host`) are not credentials and are words that messages use on their own; messages already show
 * what the file wrote for every value a variable went into (`showValue`), this is the net under it.
 */
export const MIN_REDACTED_LENGTH = 6;

/**
 * Parts of a variable's name that say it holds a secret (`DB_PASSWORD`, `API_KEY`, `AUTH_TOKEN`): its
 * value is replaced even where the project's files hold the same text. Deliberately broader than
 * secrets-in-environment's words (`looksSecret`, which a finding must not over-report, and which the
 * user's `secretWords` extend): here a false match only hides a value the files hold anyway.
 */
const SECRET_NAME = /PASS|PWD|SECRET|TOKEN|KEY|CRED|AUTH|PRIVATE|CERT|SALT|SIGN|SESSION|COOKIE|HASH|API/i;

/** The values looked for in the files at most (each search reads the files' text once). */
const MAX_FILE_SEARCHES = 64;

/**
 * Keeps the values that variables gave to a project's files out of what stackopt prints: each
 * occurrence of such a value (from the environment, `.env` or `--env-file`) in a message or a fix
 * description becomes `${NAME}`. Only variables the files used are replaced (the environment holds
 * many values that are ordinary words).
 *
 * A value the project's files themselves hold as text (`POSTGRES_DB=postgres` beside `image:
 * postgres:16`) is not replaced when it is found, unless a variable with that value has a name that
 * says it holds a secret: printing it tells nothing the files (and their code frames) do not, and
 * replaced it made the message wrong (`image "${POSTGRES_DB}:16"`). At most MAX_FILE_SEARCHES values
 * are looked for; the others are replaced.
 */
export class EnvRedactor {
  /** [value, replacement, whether a variable with that value has a secret's name], longest value first */
  private readonly pairs: Array<[string, string, boolean]>;
  /** lower-case value → whether the files hold it (see the class) */
  private readonly inFiles = new Map<string, boolean>();

  /**
   * `env`: the variables, or several sets of them (an included project's own), the first one
   * winning; `filesHold`: whether the project's files hold a lower-case text (their text in lower case)
   */
  constructor(
    env: Env | readonly Env[],
    names: Iterable<string>,
    private readonly filesHold?: (lowerText: string) => boolean,
  ) {
    const byValue = new Map<string, { replacement: string; secret: boolean }>();
    const envs = Array.isArray(env) ? (env as readonly Env[]) : [env as Env];
    for (const name of names) for (const e of envs) this.add(byValue, name, e.get(name));
    this.pairs = [...byValue].map(([v, r]): [string, string, boolean] => [v, r.replacement, r.secret]).sort((a, b) => b[0].length - a[0].length);
  }

  private add(byValue: Map<string, { replacement: string; secret: boolean }>, name: string, v: string | undefined): void {
    if (v === undefined || v.length < MIN_REDACTED_LENGTH) return;
    const secret = SECRET_NAME.test(name);
    const put = (value: string) => {
      const had = byValue.get(value);
      // one value set by several variables is named by the first, and kept out if any name is a secret's
      if (had) had.secret ||= secret;
      else byValue.set(value, { replacement: `\${${name}}`, secret });
    };
    put(v);
    // a value written across lines is also replaced line by line (messages quote one line)
    for (const line of v.split(/\r?\n/)) if (line.trim().length >= MIN_REDACTED_LENGTH) put(line);
  }

  /** Whether there is nothing to replace. */
  get empty(): boolean {
    return this.pairs.length === 0;
  }

  /** Whether the value (lower case) may stay: no secret's name, and the files hold it. */
  private keeps(lowerValue: string, secret: boolean): boolean {
    if (secret || !this.filesHold) return false;
    let held = this.inFiles.get(lowerValue);
    if (held === undefined) {
      held = this.inFiles.size < MAX_FILE_SEARCHES && this.filesHold(lowerValue);
      this.inFiles.set(lowerValue, held);
    }
    return held;
  }

  /**
   * `text` with every value replaced by the variable it came from, in any letter case (a rule may
   * have normalised it: image names are lower-cased).
   */
  redact(text: string): string {
    let out = text;
    let lower = out.toLowerCase();
    for (const [value, name, secret] of this.pairs) {
      const v = value.toLowerCase();
      // a few characters change length in lower case: there offsets would not match, so match exactly
      if (lower.length !== out.length || v.length !== value.length) {
        if (!out.includes(value) || this.keeps(v, secret)) continue;
        out = out.split(value).join(name);
        lower = out.toLowerCase();
        continue;
      }
      let at = lower.indexOf(v);
      if (at < 0 || this.keeps(v, secret)) continue;
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
