import type { Insertable } from 'kysely';
import type { Choice } from '../../shared/counting/types';
import type { BoardEntriesTable } from '../store/schema';
import type { Store } from '../store/store';

interface PendingWrite {
  readonly row: Insertable<BoardEntriesTable>;
  readonly choice: Choice;
  resolve(): void;
  reject(e: unknown): void;
}

export interface CommittedEntry {
  readonly roundId: string;
  readonly seq: number;
  readonly head: string;
  readonly voter: string;
  readonly choice: Choice;
}

/**
 * Group commit: the ballots that arrive together are written in one
 * transaction, so one fsync (synchronous=FULL) covers them all and full
 * durability does not cost throughput. A ballot's promise settles only after
 * its transaction committed; no receipt is handed out before that.
 */
export class BoardWriter {
  private queue: PendingWrite[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly onCommitted: (entries: readonly CommittedEntry[]) => void,
    private readonly onFailed: (roundIds: ReadonlySet<string>, error: unknown) => Promise<void>,
  ) {}

  /** Queues an entry; `choice` travels along so live tallies need not parse the ballot again. */
  write(row: Insertable<BoardEntriesTable>, choice: Choice): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, choice, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves once everything queued so far is committed (or failed). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Let the requests already read off the sockets join this batch.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = this.queue;
        this.queue = [];
        try {
          await this.store.appendBoard(batch.map((w) => w.row));
        } catch (e) {
          // Entries queued behind a failed batch chain onto it: they fail too, and the
          // rounds' ledgers are rebuilt from what the database holds.
          const failed = [...batch, ...this.queue];
          this.queue = [];
          const rounds = new Set(failed.map((w) => w.row.round_id));
          await this.onFailed(rounds, e);
          for (const w of failed) w.reject(e);
          continue;
        }
        this.onCommitted(batch.map((w) => ({ roundId: w.row.round_id, seq: w.row.seq, head: w.row.head, voter: w.row.voter, choice: w.choice })));
        for (const w of batch) w.resolve();
      }
    } finally {
      this.running = null;
    }
  }
}
