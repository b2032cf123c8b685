import { PIECE_WAIT_MS, PIECES, PUSH_INTERVAL_MS, PUSH_WAIT_BUDGET_MS, SHARDS } from '../../node/tuning';

// The numbers live, with their reasons, in node/tuning.ts; re-exported for the sockets and the tests.
export { PIECE_WAIT_MS, PIECES, PUSH_INTERVAL_MS, PUSH_WAIT_BUDGET_MS, SHARDS };

/** Whole milliseconds, rounded up, so that SHARDS turns never take less than PUSH_INTERVAL_MS. */
export const TICK_MS = Math.ceil(PUSH_INTERVAL_MS / SHARDS);

/**
 * Writes a push to each piece of a shard in turn (`pieces`: those with
 * anyone in them). Before each piece, the I/O that has come in meanwhile is
 * served (a turn of the event loop), and then `quiet` is awaited: a moment
 * with no ballot in progress, or PIECE_WAIT_MS at most, while the push's
 * PUSH_WAIT_BUDGET_MS lasts. So a push holds up a ballot for one piece at the
 * most, not for the whole shard.
 */
export async function sendInPieces<T>(pieces: readonly T[], quiet: (maxWaitMs: number) => Promise<void>, emit: (piece: T) => void): Promise<void> {
  let budget = PUSH_WAIT_BUDGET_MS;
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    if (budget > 0) {
      const waitFrom = performance.now();
      await quiet(Math.min(PIECE_WAIT_MS, budget));
      budget -= performance.now() - waitFrom;
    }
    emit(piece);
  }
}

/** What the cycles drive: the sockets of one shard of a round. */
export interface ShardTarget {
  /** Whether anyone watches this shard of the round. */
  watched(roundId: string, shard: number): boolean;
  /** Sends the round's state as it is now to this shard. */
  send(roundId: string, shard: number): Promise<void>;
}

/** One round's cycle, running while its state has moved since some watched shard last got it. */
interface Cycle {
  /** Moves on every change to the round's state (a commit, a status, a recount). */
  version: number;
  /** The version each shard was last sent (or had nobody to send it to). */
  readonly sent: number[];
  /** The shard whose turn is next. */
  next: number;
  /** Turns in a row that had nothing to send since the state last moved. */
  quiet: number;
  /** A push being prepared (a closed round's state is read asynchronously); turns wait for it. */
  busy: boolean;
  readonly timer: NodeJS.Timeout;
}

/**
 * Coalesced, staggered tally pushes. `changed` marks a round's state as moved;
 * every TICK_MS the round's next shard gets the state if it has not had this
 * version yet. A cycle stops after SHARDS turns in a row with nothing to send,
 * so a shard's pushes are at least PUSH_INTERVAL_MS apart, also across a stop
 * and a restart, and after the last change every watched shard gets the final
 * state within one interval.
 */
export class PushCycles {
  private readonly cycles = new Map<string, Cycle>();
  private stopped = false;

  constructor(
    private readonly target: ShardTarget,
    private readonly failed: (roundId: string, e: unknown) => void,
  ) {}

  changed(roundId: string): void {
    if (this.stopped) return;
    const running = this.cycles.get(roundId);
    if (running !== undefined) {
      running.version += 1;
      running.quiet = 0;
      return;
    }
    const cycle: Cycle = {
      version: 1,
      sent: new Array<number>(SHARDS).fill(0),
      next: 0,
      quiet: 0,
      busy: false,
      timer: setInterval(() => this.turn(roundId, cycle), TICK_MS),
    };
    this.cycles.set(roundId, cycle);
    this.turn(roundId, cycle);
  }

  /** Whether a round's cycle is running (for tests). */
  running(roundId: string): boolean {
    return this.cycles.has(roundId);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.cycles.values()) clearInterval(c.timer);
    this.cycles.clear();
  }

  private turn(roundId: string, cycle: Cycle): void {
    if (cycle.busy) return;
    const shard = cycle.next;
    cycle.next = (shard + 1) % SHARDS;
    const version = cycle.version;
    if (cycle.sent[shard] === version || !this.target.watched(roundId, shard)) {
      cycle.sent[shard] = version;
      cycle.quiet += 1;
      if (cycle.quiet >= SHARDS) {
        clearInterval(cycle.timer);
        this.cycles.delete(roundId);
      }
      return;
    }
    cycle.quiet = 0;
    cycle.busy = true;
    // Marked before the state is read: a change that comes in meanwhile moves the version past it.
    cycle.sent[shard] = version;
    this.target
      .send(roundId, shard)
      .catch((e: unknown) => this.failed(roundId, e))
      .finally(() => {
        cycle.busy = false;
      });
  }
}
