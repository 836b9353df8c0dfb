/** Exit codes (DESIGN.md, "Findings and exit codes"). */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

/** The most characters of a value the user gave that a message repeats (a rule id, a format, a flag). */
export const MAX_SHOWN_VALUE = 80;

/**
 * A value the user gave, as a message repeats it: whole up to MAX_SHOWN_VALUE characters; longer,
 * its beginning, `…` and its length, so that a 100 KB `--format` value is not echoed whole.
 */
export function shownValue(value: string): string {
  if (value.length <= MAX_SHOWN_VALUE) return value;
  let end = MAX_SHOWN_VALUE - 20;
  // not between the two halves of a surrogate pair
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${value.slice(0, end)}… (${value.length} characters)`;
}

/** `"value"` (or `'value'`), cut as shownValue cuts it; the length, when cut, after the closing quote. */
export function quoteValue(value: string, quote = '"'): string {
  if (value.length <= MAX_SHOWN_VALUE) return `${quote}${value}${quote}`;
  const shown = shownValue(value);
  const cut = shown.lastIndexOf('… (');
  return `${quote}${shown.slice(0, cut + 1)}${quote}${shown.slice(cut + 1)}`;
}

/** An error the user can act on: printed as one line, with the exit code it maps to. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
  }
}
