/**
 * A capability as docker compares it: trimmed and upper-cased (`all`, ` All ` → `ALL`). Docker
 * adds a `CAP_` prefix to other names; `ALL` is the one keyword it keeps as it is.
 */
export function normalizeCapability(name: string): string {
  return name.trim().toUpperCase();
}
