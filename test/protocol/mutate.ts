/**
 * Single changes to a JSON document, for tampering tests: every position in
 * it, and a different value for any position.
 */
export type JsonPath = readonly (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every position below the root, containers included, depth first. */
export function allPaths(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i], ...allPaths(item, [...prefix, i]));
    });
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) out.push([...prefix, key], ...allPaths(value[key], [...prefix, key]));
  }
  return out;
}

/** The positions that hold a string, number, boolean or null. */
export function leafPaths(value: unknown): JsonPath[] {
  return allPaths(value).filter((path) => {
    const at = getAt(value, path);
    return at === null || typeof at !== 'object';
  });
}

export function getAt(value: unknown, path: JsonPath): unknown {
  let at: unknown = value;
  for (const step of path) {
    if (Array.isArray(at) && typeof step === 'number') at = at[step];
    else if (isRecord(at) && typeof step === 'string') at = at[step];
    else return undefined;
  }
  return at;
}

function parentOf(root: unknown, path: JsonPath): { parent: unknown; last: string | number } {
  const last = path[path.length - 1];
  if (last === undefined) throw new Error('the root has no parent');
  return { parent: getAt(root, path.slice(0, -1)), last };
}

/** A deep copy (through JSON) with the value at `path` replaced. */
export function withValue<T>(root: T, path: JsonPath, value: unknown): T {
  const copy = JSON.parse(JSON.stringify(root)) as T;
  const { parent, last } = parentOf(copy, path);
  if (Array.isArray(parent) && typeof last === 'number') parent[last] = value;
  else if (isRecord(parent) && typeof last === 'string') parent[last] = value;
  else throw new Error(`no position ${path.join('.')}`);
  return copy;
}

/** A deep copy with the position removed (an object key deleted or an array item spliced out). */
export function without<T>(root: T, path: JsonPath): T {
  const copy = JSON.parse(JSON.stringify(root)) as T;
  const { parent, last } = parentOf(copy, path);
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (isRecord(parent) && typeof last === 'string') delete parent[last];
  else throw new Error(`no position ${path.join('.')}`);
  return copy;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A value different from `old`, chosen by `pick`: a small edit of the same type, or another type. */
export function otherValue(old: unknown, pick: number): unknown {
  const kind = pick % 4;
  if (kind === 3) {
    const others: unknown[] = ['x', 1, true, null, [], {}];
    const candidates = others.filter((o) => JSON.stringify(o) !== JSON.stringify(old));
    return candidates[Math.floor(pick / 4) % candidates.length];
  }
  if (typeof old === 'string') {
    if (old.length === 0) return 'A';
    const i = Math.floor(pick / 4) % old.length;
    const current = ALPHABET.indexOf(old.charAt(i));
    const replacement = ALPHABET.charAt((current + 1 + (pick % 7)) % ALPHABET.length);
    return old.slice(0, i) + replacement + old.slice(i + 1);
  }
  if (typeof old === 'number') return kind === 0 ? old - 1 : old + 1;
  if (typeof old === 'boolean') return !old;
  if (old === null) return 0;
  if (Array.isArray(old)) return kind === 0 || old.length === 0 ? [...(old as unknown[]), old[0] ?? 'x'] : (old as unknown[]).slice(1);
  if (isRecord(old)) return { ...old, extra: 1 };
  return 'x';
}
