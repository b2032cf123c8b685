/**
 * The house rules that tools hold (issue 14): which way imports point, what
 * shared/ may touch, and how long a source file may grow. Each rule is shown
 * to refuse a file that breaks it, so a rule that silently stopped matching
 * (a renamed folder, a changed glob) fails here instead of letting the
 * boundary go.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The repository's own eslint.config.js, with the type-aware rules off: the
// probe files below exist only in memory, so no TypeScript project holds them,
// and the boundary rules need no types.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
});

/** The specifier a probe file at `from` (a repository path) writes to import the repository path `to`. */
function importPath(from: string, to: string): string {
  return path.posix.relative(path.posix.dirname(from), to);
}

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId !== null && /^no-restricted-(imports|globals|properties|syntax)$/.test(m.ruleId))
    .map((m) => m.message);
}

describe('import boundaries (npm run lint)', () => {
  it('refuses a client file that imports from server/, even for types', async () => {
    const file = 'client/views/probe.ts';
    const errors = await boundaryErrors(file, `import type { Member } from '${importPath(file, 'server/members/member')}';\nexport type M = Member;\n`);
    expect(errors).toEqual([expect.stringContaining('never on server/')]);
  });

  it('refuses a cli/ file that imports from server/', async () => {
    const file = 'cli/probe.ts';
    const errors = await boundaryErrors(file, `import { CryptoPool } from '${importPath(file, 'server/crypto/pool')}';\nexport const p = CryptoPool;\n`);
    expect(errors).toEqual([expect.stringContaining('never server/')]);
  });

  it('refuses I/O, the environment, the clock and chance in shared/', async () => {
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import { Kysely } from 'kysely';",
      'export const a = readFileSync;',
      'export const b = Kysely;',
      "export const c = process.env['X'];",
      'export const d = Date.now();',
      'export const e = Math.random();',
      'export const f = new Date();',
      "export const g = fetch('/');",
      '',
    ].join('\n');
    const errors = await boundaryErrors('shared/protocol/probe.ts', code);
    expect(errors).toHaveLength(7);
  });

  it('keeps better-sqlite3 inside the store folder', async () => {
    const code = "import Database from 'better-sqlite3';\nexport const D = Database;\n";
    expect(await boundaryErrors('server/rounds/probe.ts', code)).toEqual([expect.stringContaining('server/store/sqlite/')]);
    expect(await boundaryErrors('server/store/sqlite/probe.ts', code)).toEqual([]);
  });

  it('lets every part import shared/', async () => {
    for (const file of ['client/views/probe.ts', 'server/rounds/probe.ts', 'cli/probe.ts']) {
      const code = `import { ok } from '${importPath(file, 'shared/result')}';\nexport const o = ok;\n`;
      expect(await boundaryErrors(file, code)).toEqual([]);
    }
  });
});

const PARTS = ['shared', 'server', 'client', 'cli', 'node'];
const LIMIT = 600;

function sources(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.ts$/.test(entry.name) ? [full] : [];
  });
}

describe('file size', () => {
  it(`keeps every source file at ${LIMIT} lines or fewer`, () => {
    const long = PARTS.flatMap((part) => sources(path.join(ROOT, part)))
      .map((file) => ({ file: path.relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > LIMIT);
    expect(long).toEqual([]);
  });
});
