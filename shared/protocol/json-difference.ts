/** Where a recount and a published result first differ, said for people. */
import { jcs } from './jcs';

/** Where two JSON values first differ, for people: `result.votes.b: 12 here, 13 published`. */
export function firstDifference(mine: unknown, published: unknown, path: string): string {
  if (Array.isArray(mine) && Array.isArray(published)) {
    const n = Math.max(mine.length, published.length);
    for (let i = 0; i < n; i += 1) {
      const a: unknown = mine[i];
      const b: unknown = published[i];
      if (jcsOrMissing(a) !== jcsOrMissing(b)) return firstDifference(a, b, `${path}[${i}]`);
    }
  } else if (isObject(mine) && isObject(published)) {
    const keys = [...new Set([...Object.keys(mine), ...Object.keys(published)])].sort();
    for (const key of keys) {
      const a = own(mine, key);
      const b = own(published, key);
      if (jcsOrMissing(a) !== jcsOrMissing(b)) return firstDifference(a, b, `${path}.${key}`);
    }
  }
  return `${path}: recount ${jcsOrMissing(mine)}, published ${jcsOrMissing(published)}`;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A member the object itself holds, or undefined. Keys come from the bundle
 * (option ids such as "constructor" or "toString"), and `object[key]` would
 * find Object.prototype's member where the object lacks its own.
 */
function own(object: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function jcsOrMissing(value: unknown): string {
  return value === undefined ? '(missing)' : jcs(value);
}
