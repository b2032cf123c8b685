/**
 * The suite must run from a clone anywhere, with nothing beside it. A test that
 * reads a path outside the repository passes on the machine where it was
 * written and fails (or silently skips) everywhere else, so this scans the
 * sources for such paths instead of trusting that nobody writes one.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ELECTIONS } from './counting/elections';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What the tests, benchmarks and tools read. The server is left out: it finds
 * its root from dist/server as well as from server/, which a scan of literals
 * cannot tell apart.
 */
const SCANNED = ['test', 'bench', 'scripts', 'cli', 'bin'];
const SOURCE = /\.(ts|mts|js|mjs|cjs)$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(full);
    return SOURCE.test(entry.name) ? [full] : [];
  });
}

function inside(file: string): boolean {
  const rel = path.relative(ROOT, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Relative path literals ('../x', "./y") whose target leaves the repository. */
function escapingLiterals(file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(['"`])(\.{1,2}\/[^'"`\s]*)\1/g)) {
    const literal = m[2] ?? '';
    if (!inside(path.resolve(path.dirname(file), literal))) found.push(literal);
  }
  return found;
}

/** Absolute paths of one machine (a shared folder, a home directory) written into a source. */
function machinePaths(text: string): string[] {
  return [...text.matchAll(/(?:^|[\s'"`(])(\/(?:work|home|Users|mnt|srv)\/[^\s'"`)]*)/g)].map((m) => m[1] ?? '');
}

describe('a fresh clone', () => {
  const files = SCANNED.flatMap((dir) => sources(path.join(ROOT, dir)));

  it('scans the sources', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files.some((f) => f.endsWith(path.join('test', 'counting', 'elections.ts')))).toBe(true);
  });

  it('has no source that refers to a path outside the repository', () => {
    const offending = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const rel = path.relative(ROOT, file);
      return [...escapingLiterals(file, text), ...machinePaths(text)].map((p) => `${rel}: ${p}`);
    });
    expect(offending).toEqual([]);
  });

  it('keeps the golden elections inside the repository', () => {
    expect(inside(ELECTIONS)).toBe(true);
  });
});
