/**
 * Names in the order `localeCompare` puts them, without making the default collator where the
 * answer is known: the first `localeCompare` of a process sets up ICU's collator, about 10 ms of
 * CPU (on a 2,000-service audit, 2 % of the run), while the names an audit sorts (services, nodes,
 * networks, label values, version parts) are nearly always letters, digits, `_`, `-` and `.`.
 *
 * For such names, under a default locale whose collation is the root one (English: `en`, `en-US`,
 * `en-GB`, ...; under `C` and `POSIX` V8 takes `en-US`), ICU compares the letters case-insensitively
 * in the order `_` `-` `.` digits letters, a shorter name first where one is the start of the other
 * (the primary level), and only then, for names equal but for case, lowercase before uppercase at
 * the first letter that differs (the tertiary level). `primaryKey` writes the first level as a
 * string whose code-unit order is that order (lowercase, `_` as `,`, which sorts before `-`); the
 * second is the reverse of the names' own code-unit order (`a` is above `A`). Checked against
 * `localeCompare` on every pair of names of up to two characters of each class and case, and on
 * random longer ones (test/model/collate.test.ts; every pair of names of up to two of all 65 such
 * characters, 19 million pairs, when this was written). Any other name, or any other default
 * locale (Danish sorts `aa` after `z`, and a locale may sort digits as numbers), goes to
 * `localeCompare` itself.
 */

const SIMPLE = /^[A-Za-z0-9._-]*$/;

let rootOrder: boolean | undefined;

/**
 * Whether the default locale collates as the root locale does. Read from `Intl.PluralRules`, whose
 * default locale is the collator's (both V8's default) and which costs a fraction of a millisecond.
 */
function defaultIsRoot(): boolean {
  return (rootOrder ??= /^en(?:-[A-Z]{2})?$/.test(new Intl.PluralRules().resolvedOptions().locale));
}

/** The first level of the order of a name of `SIMPLE` characters, as a string compared by code units. */
function primaryKey(name: string): string {
  return name.toLowerCase().replaceAll('_', ',');
}

function compareKeyed(ka: string, a: string, kb: string, b: string): number {
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a === b ? 0 : a < b ? 1 : -1;
}

/** The sign of `a.localeCompare(b)` (-1, 0 or 1, as V8's `localeCompare` answers). */
export function compareNames(a: string, b: string): number {
  if (!SIMPLE.test(a) || !SIMPLE.test(b) || !defaultIsRoot()) return a.localeCompare(b);
  return compareRootOrder(a, b);
}

/**
 * The root order of two names of `SIMPLE` characters, whatever the default locale: what
 * `a.localeCompare(b, 'en')` answers for them (compareNames uses it where the default is English).
 */
export function compareRootOrder(a: string, b: string): number {
  return compareKeyed(primaryKey(a), a, primaryKey(b), b);
}

/**
 * `list` sorted in place by `name(item)` as `localeCompare` orders names (`compareNames`); each
 * name's key is written once, not once per comparison. Returns `list`.
 */
export function sortByName<T>(list: T[], name: (item: T) => string): T[] {
  const names = list.map(name);
  if (!names.every((n) => SIMPLE.test(n)) || !defaultIsRoot()) return list.sort((a, b) => name(a).localeCompare(name(b)));
  const keyed = list.map((item, i) => ({ item, name: names[i]!, key: primaryKey(names[i]!) }));
  keyed.sort((a, b) => compareKeyed(a.key, a.name, b.key, b.name));
  for (let i = 0; i < keyed.length; i++) list[i] = keyed[i]!.item;
  return list;
}
