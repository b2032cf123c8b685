import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, type Insertable, type Transaction } from 'kysely';
import type { Result } from '../../shared/result';
import { BoardThread } from './board-thread';
import { immediateSqliteDialect, INSERT_BOARD_ENTRY, openReader, openWriter } from './connection';
import { migrationProvider } from './migrations/index';
import { privateFile, privateFolder } from '../instance/private-files';
import type { BoardEntriesTable, Database } from './schema';
import { WriteHealth, type WriteHealthReporter } from './write-health';

export type Executor = Kysely<Database> | Transaction<Database>;

/** Thrown inside a transaction only to roll it back when the callback returned an error. */
class Rollback<E> extends Error {
  constructor(readonly failure: E) {
    super('rolled back');
  }
}

export interface StoreOptions {
  /**
   * Write board entries on a thread of their own (a second connection), so
   * the group commit's fsync never holds up the main thread. On by default
   * for a file database.
   */
  readonly boardThread?: boolean;
  /** Told when the board thread failed and the main thread took over its writes. */
  readonly onBoardThreadFailure?: (error: Error) => void;
  /** Told when writes start failing (once per cause and interval) and when they work again. */
  readonly onWriteHealth?: WriteHealthReporter;
}

/**
 * The embedded store: SQLite in the data folder through kysely (see
 * openWriter for how each connection is set up), plus a read-only connection
 * for hot point reads and, for board entries, a writer thread.
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
    onWriteHealth: WriteHealthReporter,
  ) {
    this.writes = new WriteHealth(onWriteHealth, () => this.probeWrite());
  }

  /** Whether the database can be written: probed by the health check, told of failed and working writes. */
  readonly writes: WriteHealth;

  private boardThread: BoardThread | undefined;

  static async open(file: string, options: StoreOptions = {}): Promise<Store> {
    if (file !== ':memory:') {
      privateFolder(path.dirname(file));
      // Made 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database file's mode.
      privateFile(file, true);
      for (const beside of [`${file}-wal`, `${file}-shm`]) privateFile(beside, false);
    }
    const sqlite = openWriter(file);
    const db = new Kysely<Database>({ dialect: immediateSqliteDialect(sqlite) });
    const reader = file === ':memory:' ? sqlite : openReader(file);
    const store = new Store(db, sqlite, reader, options.onWriteHealth ?? (() => undefined));
    await store.migrate();
    if (file !== ':memory:' && (options.boardThread ?? true)) {
      store.boardThread = new BoardThread(file, (e) => options.onBoardThreadFailure?.(e));
    }
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
      const committed = await this.db.transaction().execute(async (trx) => {
        const result = await fn(trx);
        if (!result.ok) throw new Rollback(result.error);
        return result;
      });
      this.writes.noteSuccess();
      return committed;
    } catch (e) {
      if (e instanceof Rollback) return { ok: false, error: e.failure as E };
      throw e;
    }
  }

  /**
   * Appends board entries in one transaction: the group commit's hot path.
   * On the board thread when there is one; if that thread has died, here.
   * Rejects when the batch was not written (or, if the thread died while
   * writing it, may have been: the caller then rebuilds from the database).
   */
  async appendBoard(rows: readonly Insertable<BoardEntriesTable>[]): Promise<void> {
    const thread = this.boardThread;
    if (thread !== undefined && thread.failure === undefined) await thread.append(rows);
    else await this.appendBoardHere(rows);
    this.writes.noteSuccess();
  }

  /** The same append on the main connection, with a prepared statement, holding kysely's connection so no query interleaves. */
  private async appendBoardHere(rows: readonly Insertable<BoardEntriesTable>[]): Promise<void> {
    this.insertBoardEntry ??= this.sqlite.prepare(INSERT_BOARD_ENTRY);
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

  /**
   * The health check's write: one row rewritten in its own transaction on the
   * main connection (a WAL frame and an fsync, as any commit), taking the
   * write lock in turn with the board thread.
   */
  private async probeWrite(): Promise<void> {
    this.probeStatement ??= this.sqlite.prepare(
      'insert into store_health (id, probed_at) values (1, ?) on conflict (id) do update set probed_at = excluded.probed_at',
    );
    const probe = this.probeStatement;
    const write = this.sqlite.transaction((at: string) => probe.run(at));
    await this.db.connection().execute(() => {
      write.immediate(new Date().toISOString());
      return Promise.resolve();
    });
  }

  private probeStatement: SqliteDatabase.Statement | undefined;

  async close(): Promise<void> {
    await this.boardThread?.close();
    if (this.reader !== this.sqlite) this.reader.close();
    await this.db.destroy();
  }
}
