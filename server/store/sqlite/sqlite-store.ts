import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, type Insertable, type Transaction } from 'kysely';
import { BoardThread } from './board-thread';
import { privateFile, privateFolder } from '../../instance/private-files';
import type { BoardEntriesTable, BoardEntryRow, Database } from '../schema';
import type { BoardChoice, PublishedEntry, Result, Store, TokenHolder } from '../store';
import type { WriteHealth, WriteHealthReporter } from '../write-health';
import { immediateSqliteDialect, INSERT_BOARD_ENTRY, openReader, openWriter } from './connection';
import { migrationProvider } from './migrations/index';
import { SqliteWriteHealth } from './write-health';

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
export class SqliteStore implements Store {
  private constructor(
    readonly db: Kysely<Database>,
    /** The writing connection under kysely; outside this folder only tests reach it (to make writes fail). */
    readonly sqlite: SqliteDatabase.Database,
    /**
     * A second, read-only connection for the hot paths' point reads: in WAL
     * mode it sees only committed data and never waits behind the writer.
     */
    readonly reader: SqliteDatabase.Database,
    onWriteHealth: WriteHealthReporter,
  ) {
    this.writes = new SqliteWriteHealth(onWriteHealth, () => this.probeWrite());
  }

  readonly writes: WriteHealth;

  private boardThread: BoardThread | undefined;

  static async open(file: string, options: StoreOptions = {}): Promise<SqliteStore> {
    if (file !== ':memory:') {
      privateFolder(path.dirname(file));
      // Made 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database file's mode.
      privateFile(file, true);
      for (const beside of [`${file}-wal`, `${file}-shm`]) privateFile(beside, false);
    }
    const sqlite = openWriter(file);
    const db = new Kysely<Database>({ dialect: immediateSqliteDialect(sqlite) });
    const reader = file === ':memory:' ? sqlite : openReader(file);
    const store = new SqliteStore(db, sqlite, reader, options.onWriteHealth ?? (() => undefined));
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

  /** On the board thread when there is one; if that thread has died, here. */
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

  async forgetOverwritten(): Promise<void> {
    // On the main connection, in turn with its transactions; TRUNCATE leaves the log file empty (0 bytes).
    await this.db.connection().execute(() => {
      this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      return Promise.resolve();
    });
  }

  forEachBoardEntry<K extends keyof BoardEntryRow>(
    roundId: string,
    columns: readonly K[],
    visit: (row: Pick<BoardEntryRow, K | 'seq'>) => void,
    pageSize = 1_000,
  ): Promise<void> {
    // Column names come from the table type (keyof BoardEntryRow), never from input.
    const names = [...new Set(['seq', ...columns])].join(', ');
    const page = this.reader.prepare<[string, number, number], Pick<BoardEntryRow, K | 'seq'>>(
      `select ${names} from board_entries where round_id = ? and seq > ? order by seq limit ?`,
    );
    return forEachPage(page, roundId, visit, pageSize);
  }

  forEachBoardChoice(roundId: string, visit: (row: BoardChoice) => void, pageSize = 1_000): Promise<void> {
    this.choicePage ??= this.reader.prepare<[string, number, number], BoardChoice>(
      `select seq, voter, json_extract(ballot, '$.choice') as choice from board_entries where round_id = ? and seq > ? order by seq limit ?`,
    );
    return forEachPage(this.choicePage, roundId, visit, pageSize);
  }

  private choicePage: SqliteDatabase.Statement<[string, number, number], BoardChoice> | undefined;

  /** On the reader: in WAL mode it sees committed entries only and never waits for the writer. */
  boardPage(roundId: string, after: number, upto: number, limit: number): Promise<PublishedEntry[]> {
    this.publishedPage ??= this.reader.prepare<[string, number, number, number], PublishedEntry>(
      'select seq, voter, ballot, sig, leaf, head from board_entries where round_id = ? and seq > ? and seq <= ? order by seq limit ?',
    );
    return Promise.resolve(this.publishedPage.all(roundId, after, upto, limit));
  }

  private publishedPage: SqliteDatabase.Statement<[string, number, number, number], PublishedEntry> | undefined;

  /**
   * One statement on the reader (ballots pass here): the member as they are now, and whether the login has
   * ended. `login_ended` is 0 while the login is live, 1 once revoked (its newest revocation first, one seek on
   * the (family_id, revoked_at) index), and null when the login is unknown here.
   */
  tokenHolder(memberId: string, loginId: string): Promise<TokenHolder | undefined> {
    this.holder ??= this.reader.prepare<[string, string], TokenHolder['member'] & { login_ended: 0 | 1 | null }>(
      `select id, email, name, role, status,
         (select revoked_at is not null from refresh_tokens where family_id = ? order by revoked_at desc limit 1) as login_ended
       from members where id = ?`,
    );
    const row = this.holder.get(loginId, memberId);
    if (row === undefined) return Promise.resolve(undefined);
    const { login_ended, ...member } = row;
    return Promise.resolve({ member, loginEnded: login_ended !== 0 });
  }

  private holder: SqliteDatabase.Statement<[string, string], TokenHolder['member'] & { login_ended: 0 | 1 | null }> | undefined;

  async close(): Promise<void> {
    await this.boardThread?.close();
    if (this.reader !== this.sqlite) this.reader.close();
    await this.db.destroy();
  }
}

/**
 * Reads a round's board in pages in seq order, yielding to the event loop
 * between pages: better-sqlite3 reads synchronously, so without the yield a
 * large board would hold up every request while it is read.
 */
async function forEachPage<Row extends { seq: number }>(
  page: SqliteDatabase.Statement<[string, number, number], Row>,
  roundId: string,
  visit: (row: Row) => void,
  pageSize: number,
): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = page.all(roundId, after, pageSize);
    for (const row of rows) visit(row);
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < pageSize) return;
    after = last.seq;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
