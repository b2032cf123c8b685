/**
 * The store as the features see it, whatever database stands behind it.
 * Repositories query through `db` with kysely's portable builder only; what
 * each database does its own way (transactions and their locking, the board's
 * hot append and paged reads, the choice taken out of a ballot's JSON, the
 * member check every request makes, the health probe) is a method here,
 * implemented once per dialect under store/<dialect>/.
 */
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Result } from '../../shared/result';
import type { BoardEntriesTable, BoardEntryRow, Database, MemberRow } from './schema';
import type { WriteHealth } from './write-health';

/** The store answers expected failures as Results; its dialects take the type from here. */
export type { Result };

/** What repositories query on: the store's database or a transaction of it. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** The columns of a board entry that the board's public answer shows. */
export type PublishedEntry = Pick<BoardEntryRow, 'seq' | 'voter' | 'ballot' | 'sig' | 'leaf' | 'head'>;

/** An entry's voter and its ballot's choice (as the JSON text it was cast in): what a tally is built from. */
export interface BoardChoice {
  readonly seq: number;
  readonly voter: string;
  readonly choice: string;
}

/** The member an access token names, as they are now, and whether the token's login has ended. */
export interface TokenHolder {
  readonly member: Pick<MemberRow, 'id' | 'email' | 'name' | 'role' | 'status'>;
  /** Revoked, or unknown here (which ends the token as surely as a revocation). */
  readonly loginEnded: boolean;
}

export interface Store {
  /** For repositories (kysely, portable queries only). */
  readonly db: Kysely<Database>;

  /** Whether the database can be written: probed by the health check, told of failed and working writes. */
  readonly writes: WriteHealth;

  /**
   * Runs `fn` in one transaction. An `err` result rolls everything back and is
   * returned as is; an exception rolls back and propagates (it is a bug).
   *
   * Uniqueness is the schema's (unique indexes; inserts that may meet a
   * competitor use ON CONFLICT DO NOTHING and say so in their result). What a
   * transaction checks across rows before it updates (a member's status before
   * approving, "not the last active admin" before a demotion) still needs its
   * transactions to behave as if run one at a time: SQLite gives that (BEGIN
   * IMMEDIATE takes the one write lock up front); another dialect must too
   * (SERIALIZABLE with a retry, or a lock taken at the start).
   */
  transaction<T, E>(fn: (trx: Transaction<Database>) => Promise<Result<T, E>>): Promise<Result<T, E>>;

  /**
   * Appends a batch of board entries in one transaction (the group commit's
   * hot path). Rejects when the batch was not written (or, if a writer died
   * while writing it, may have been: the caller then rebuilds from the database).
   */
  appendBoard(rows: readonly Insertable<BoardEntriesTable>[]): Promise<void>;

  /**
   * Chosen columns of every entry of a round, in board order, read in pages
   * of `pageSize` so a large board is never in memory whole nor holds up
   * requests while it is read.
   */
  forEachBoardEntry<K extends keyof BoardEntryRow>(
    roundId: string,
    columns: readonly K[],
    visit: (row: Pick<BoardEntryRow, K | 'seq'>) => void,
    pageSize?: number,
  ): Promise<void>;

  /**
   * Each entry's voter and choice, in board order and in pages. The database
   * takes the choice out of the ballot's JSON, so the rest of each ballot
   * never becomes a string on the JS heap.
   */
  forEachBoardChoice(roundId: string, visit: (row: BoardChoice) => void, pageSize?: number): Promise<void>;

  /**
   * Up to `limit` published entries with `after` < seq ≤ `upto`, in seq order,
   * from committed data only (a hot read: it must not wait behind the writer).
   */
  boardPage(roundId: string, after: number, upto: number, limit: number): Promise<PublishedEntry[]>;

  /**
   * Moves what the write-ahead log holds into the database file and empties
   * the log, so that the old images of pages written before now (a closed
   * round's private issuing key among them) are in neither file. Best
   * effort: a reader holding an old snapshot keeps the log from emptying, and
   * the next call (the next close) finishes the job.
   */
  forgetOverwritten(): Promise<void>;

  /** One read per request with an access token: the member and whether the login `loginId` ended. */
  tokenHolder(memberId: string, loginId: string): Promise<TokenHolder | undefined>;

  close(): Promise<void>;
}
