import { WriteHealth, type ProblemOf, type StoreProblem, type WriteHealthReporter } from '../write-health';

const PROBLEMS: readonly (readonly [RegExp, StoreProblem])[] = [
  [/^SQLITE_FULL/, 'disk_full'],
  [/^SQLITE_READONLY/, 'read_only'],
  [/^SQLITE_(IOERR|CANTOPEN|PERM)/, 'io_error'],
  [/^SQLITE_(BUSY|LOCKED)/, 'busy'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'corrupt'],
];

/**
 * What keeps SQLite from writing, from its extended result code (e.g.
 * SQLITE_FULL, SQLITE_IOERR_WRITE). better-sqlite3's errors carry the code;
 * the board writer thread passes it on.
 */
export const sqliteProblemOf: ProblemOf = (error) => {
  if (!(error instanceof Error)) return undefined;
  const code: unknown = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  const found = PROBLEMS.find(([pattern]) => pattern.test(code));
  return found === undefined ? undefined : { problem: found[1], code };
};

/** The write health of a SQLite store: SQLite's result codes say which failures are the store's. */
export class SqliteWriteHealth extends WriteHealth {
  constructor(report: WriteHealthReporter, write: () => Promise<void>, now: () => Date = () => new Date()) {
    super(report, write, sqliteProblemOf, now);
  }
}
