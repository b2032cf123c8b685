import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Insertable, type Transaction } from 'kysely';
import type { Result } from '../../shared/result';
import { migrationProvider } from './migrations/index';
import type { BoardEntriesTable, Database } from './schema';

export type Executor = Kysely<Database> | Transaction<Database>;

/** Thrown inside a transaction only to roll it back when the callback returned an error. */
class Rollback<E> extends Error {
  constructor(readonly failure: E) {
    super('rolled back');
  }
}

/**
 * The embedded store: SQLite in the data folder through kysely. WAL so readers
 * never wait for the writer; synchronous=FULL so a commit that was answered
 * survives a crash; foreign keys enforced.
 */
export class Store {
  private constructor(
    readonly db: Kysely<Database>,
    readonly sqlite: SqliteDatabase.Database,
    /**
     * A second, read-only connection for the hot paths' point reads: in WAL
     * mode it sees only committed data and never waits behind the writer.
     */
    readonly reader: SqliteDatabase.Database,
  ) {}

  static async open(file: string): Promise<Store> {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const reader = file === ':memory:' ? sqlite : new SqliteDatabase(file, { readonly: true });
    const store = new Store(db, sqlite, reader);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error !== undefined || failed !== undefined) {
      throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
    }
  }

  /**
   * Runs `fn` in one transaction. An `err` result rolls everything back and is
   * returned as is; an exception rolls back and propagates (it is a bug).
   */
  async transaction<T, E>(fn: (trx: Transaction<Database>) => Promise<Result<T, E>>): Promise<Result<T, E>> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const result = await fn(trx);
        if (!result.ok) throw new Rollback(result.error);
        return result;
      });
    } catch (e) {
      if (e instanceof Rollback) return { ok: false, error: e.failure as E };
      throw e;
    }
  }

  /**
   * Appends board entries in one transaction with a prepared statement: the
   * group commit's hot path, without building SQL per batch. Runs while
   * holding kysely's connection, so no kysely query interleaves with it.
   */
  async appendBoard(rows: readonly Insertable<BoardEntriesTable>[]): Promise<void> {
    this.insertBoardEntry ??= this.sqlite.prepare(
      'insert into board_entries (round_id, seq, voter, ballot, sig, leaf, head, nonce, received_at) values (@round_id, @seq, @voter, @ballot, @sig, @leaf, @head, @nonce, @received_at)',
    );
    const insert = this.insertBoardEntry;
    const appendAll = this.sqlite.transaction((all: readonly Insertable<BoardEntriesTable>[]) => {
      for (const row of all) insert.run(row);
    });
    await this.db.connection().execute(() => {
      appendAll(rows);
      return Promise.resolve();
    });
  }

  private insertBoardEntry: SqliteDatabase.Statement | undefined;

  async close(): Promise<void> {
    if (this.reader !== this.sqlite) this.reader.close();
    await this.db.destroy();
  }
}
