import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, SqliteAdapter, SqliteDriver, SqliteIntrospector, SqliteQueryCompiler, type DatabaseConnection, type Dialect } from 'kysely';

/**
 * A writing connection as every one of ours is set up: WAL so readers never
 * wait for the writer; synchronous=FULL so a commit that was answered
 * survives a crash; foreign keys enforced; a writer that finds the database
 * locked by the other writing connection (the board writer thread) waits.
 * secure_delete: content deleted or overwritten is zeroed in its page, not
 * left in free space, so that a secret round's private issuing key, set to
 * NULL at its close, cannot be read back from a copy of the file (see
 * Store.forgetOverwritten for the log's old page images). The board is
 * append-only, so the ballot path frees nothing and pays nothing for it.
 */
export function openWriter(file: string): SqliteDatabase.Database {
  const sqlite = new SqliteDatabase(file);
  limitCache(sqlite);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('secure_delete = ON');
  return sqlite;
}

/** A read-only connection: sees committed data only, never waits for a writer (WAL). */
export function openReader(file: string): SqliteDatabase.Database {
  const sqlite = new SqliteDatabase(file, { readonly: true });
  limitCache(sqlite);
  return sqlite;
}

/**
 * better-sqlite3 lets each connection keep 16 MB of pages, and we have three
 * (writer, reader, board writer thread): reading a 100,000-entry board once
 * left 17 MB resident per connection. The file's pages stay in the OS cache
 * anyway; 2 MB each keeps the indexes' upper levels at hand.
 */
function limitCache(sqlite: SqliteDatabase.Database): void {
  sqlite.pragma('cache_size = -2000');
}

export const INSERT_BOARD_ENTRY =
  'insert into board_entries (round_id, seq, voter, ballot, sig, leaf, head, nonce, received_at) values (@round_id, @seq, @voter, @ballot, @sig, @leaf, @head, @nonce, @received_at)';

/**
 * Transactions take the write lock when they begin (BEGIN IMMEDIATE). With a
 * second writing connection, a transaction that read first and wrote later
 * would fail at once (SQLITE_BUSY) if the other connection committed in
 * between; taking the lock up front makes it wait its turn instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(private readonly database: SqliteDatabase.Database) {
    super({ database });
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * After some errors (a full disk, an I/O error) SQLite has rolled the
   * transaction back itself; a second ROLLBACK would fail ("no transaction is
   * active") and kysely would throw that instead of the cause.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.database.inTransaction) await super.rollbackTransaction(connection);
  }
}

export function immediateSqliteDialect(database: SqliteDatabase.Database): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ImmediateSqliteDriver(database),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}
