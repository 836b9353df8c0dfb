/**
 * Wildcard patterns (globs) matched by simulating all their positions at once, one pass over the
 * subject: time proportional to the subject's length times the pattern's, whatever the pattern.
 * (A glob turned into a regular expression backtracks: `*a*a*a*a*b` costs the subject's length to
 * the fifth power.)
 */

/** One step of a pattern. */
export type WildStep =
  /** one character passing `test` */
  | { kind: 'one'; test: (c: string) => boolean }
  /** any number of characters passing `test` */
  | { kind: 'run'; test: (c: string) => boolean }
  /** nothing, or any characters ending with `/` (`**\/` of a .gitignore pattern) */
  | { kind: 'folders' };

export const anyChar = (): boolean => true;
export const notSlash = (c: string): boolean => c !== '/';

/** Whether the steps match all of `subject`. */
export function matchWildcard(steps: readonly WildStep[], subject: string): boolean {
  const n = steps.length;
  // main[i]: steps before i matched; inside[i]: inside a `folders` step i, waiting for its `/`
  let main = new Uint8Array(n + 1);
  let inside = new Uint8Array(n + 1);
  let nextMain = new Uint8Array(n + 1);
  let nextInside = new Uint8Array(n + 1);
  const close = (m: Uint8Array) => {
    for (let i = 0; i < n; i++) if (m[i] && steps[i]!.kind !== 'one') m[i + 1] = 1;
  };
  main[0] = 1;
  close(main);
  for (const c of subject) {
    nextMain.fill(0);
    nextInside.fill(0);
    let alive = false;
    for (let i = 0; i < n; i++) {
      const s = steps[i]!;
      if (main[i]) {
        if (s.kind === 'one') {
          if (s.test(c)) nextMain[i + 1] = 1;
        } else if (s.kind === 'run') {
          if (s.test(c)) nextMain[i] = 1;
        } else {
          nextInside[i] = 1;
          if (c === '/') nextMain[i + 1] = 1;
        }
      }
      if (inside[i]) {
        nextInside[i] = 1;
        if (c === '/') nextMain[i + 1] = 1;
      }
    }
    close(nextMain);
    for (let i = 0; i <= n; i++) if (nextMain[i] || nextInside[i]) alive = true;
    if (!alive) return false;
    [main, nextMain] = [nextMain, main];
    [inside, nextInside] = [nextInside, inside];
  }
  return main[n] === 1;
}
