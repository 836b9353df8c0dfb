/** `true`, or a string docker reads as true (`"true"`, an interpolated `${PRIV:-true}`). */
export function isTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && /^(?:true|yes|on|y)$/i.test(v.trim()));
}
