/**
 * Canonical JSON (RFC 8785, JCS): what every signature and hash of the
 * protocol is computed over.
 */
import canonicalize from 'canonicalize';

/**
 * The JCS text of a JSON value. Throws for what JSON cannot hold (undefined,
 * functions, NaN, Infinity): protocol values pass their schema first, so one
 * reaching here is a bug.
 */
export function jcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error(`jcs: not a JSON value (${typeof value})`);
  return text;
}
