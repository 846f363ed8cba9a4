/**
 * Whether a concrete channel matches a subscription's pattern, by the protocol's rules: `*` is exactly one segment,
 * `>` one or more trailing segments; anything else matches itself.
 */
export function matches(pattern, channel) {
  const p = pattern.split('.');
  const c = channel.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return c.length > i;
    if (i >= c.length || (p[i] !== '*' && p[i] !== c[i])) return false;
  }
  return p.length === c.length;
}
