/**
 * Growing arrays by input-sized amounts. `target.push(...items)` and `Math.max(...values)` pass
 * every item as an argument: past about 120,000 of them (a project with that many findings, a
 * folder with that many files) V8 overflows its stack. These loop instead.
 */

/** Append every item of `items` to `target` (what `target.push(...items)` does, for any length). */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  if (Array.isArray(items)) {
    // an array by index: a for-of loop makes an iterator result per item until V8 optimises the code
    for (let i = 0; i < items.length; i++) target.push(items[i] as T);
  } else for (const item of items) target.push(item);
  return target;
}

/** The largest of `floor` and `f(item)` for every item (what `Math.max(floor, ...items.map(f))` does, for any length). */
export function maxOf<T>(items: Iterable<T>, f: (item: T) => number, floor = -Infinity): number {
  let m = floor;
  if (Array.isArray(items)) {
    for (let i = 0; i < items.length; i++) {
      const v = f(items[i] as T);
      if (v > m) m = v;
    }
    return m;
  }
  for (const item of items) {
    const v = f(item);
    if (v > m) m = v;
  }
  return m;
}
