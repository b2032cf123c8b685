import { count, type CountResult } from '../../shared/counting/index';
import { isRanked, type Choice } from '../../shared/counting/types';
import { contestOf, countContextOf, countingBallots } from '../../shared/protocol/contest';
import type { RoundDefinition } from '../../shared/protocol/types';
import { runCountInWorker } from '../counting/run-count';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { COUNT_IN_WORKER_FROM } from '../../node/tuning';
import type { RoundRow } from '../store/schema';
import type { BoardChoice, Store } from '../store/store';
import type { RoundEventEmitter } from './events';

/** What a closed round's board counts to; it never changes once the round is closed. */
export interface ClosedCount {
  /** The final head the count was made from (its ties are drawn from it). */
  readonly head: string;
  readonly turnout: { readonly voters: number; readonly ballots: number };
  /** Ballots that count: one per voter. */
  readonly counted: number;
  readonly result: CountResult;
}

/**
 * The choices that count, in board order, read in pages (only each entry's
 * seq, voter and choice; the rest of a ballot never reaches the JS heap).
 */
export async function countingChoices(
  store: Pick<Store, 'forEachBoardChoice'>,
  definition: Pick<RoundDefinition, 'round' | 'revote'>,
): Promise<{ ballots: number; choices: Choice[] }> {
  const rows: BoardChoice[] = [];
  await store.forEachBoardChoice(definition.round, (row) => rows.push(row));
  const choices = countingBallots(definition, rows, (row) => row.voter).map((row) => JSON.parse(row.choice) as Choice);
  return { ballots: rows.length, choices };
}

/**
 * Each closed round's count, made once: callers that ask while it is being
 * made share its promise. Kept until the round is published (then the signed
 * outcome is what is shown), or dropped if it failed so that it is tried again.
 */
export class ClosedCounts {
  private readonly made = new Map<string, { readonly head: string; readonly count: Promise<ClosedCount> }>();

  of(roundId: string, head: string, make: () => Promise<ClosedCount>): Promise<ClosedCount> {
    const kept = this.made.get(roundId);
    if (kept?.head === head) return kept.count;
    const entry = { head, count: make() };
    this.made.set(roundId, entry);
    entry.count.catch(() => {
      if (this.made.get(roundId) === entry) this.made.delete(roundId);
    });
    return entry.count;
  }

  forget(roundId: string): void {
    this.made.delete(roundId);
  }

  /** Resolves once no count is being made (at stop, before the store closes). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.made.values()].map((e) => e.count));
  }
}

/**
 * The count of each closed round's board, ties drawn from its final head:
 * made once (at the close) and kept until the round is published, so that
 * reads of a closed round never scan its board again (see ClosedCounts).
 */
export class ClosedRoundCounts {
  private readonly counts = new ClosedCounts();

  constructor(
    private readonly store: Store,
    private readonly events: RoundEventEmitter,
  ) {}

  of(row: RoundRow, definition: RoundDefinition): Promise<ClosedCount> {
    const head = row.final_head ?? '';
    return this.counts.of(row.id, head, async () => {
      const { ballots, choices } = await countingChoices(this.store, definition);
      const result = await countChoices(definition, choices, head);
      this.events.emit('counted', row.id, { head });
      return { head, turnout: { voters: choices.length, ballots }, counted: choices.length, result };
    });
  }

  /** Once published, the signed outcome is what is shown. */
  forget(roundId: string): void {
    this.counts.forget(roundId);
  }

  settled(): Promise<void> {
    return this.counts.settled();
  }
}

/** A large ranked count runs in a worker thread; anything else on the main thread. */
function countChoices(definition: RoundDefinition, choices: readonly Choice[], head: string): Promise<CountResult> | CountResult {
  const contest = contestOf(definition);
  const ctx = countContextOf(definition, head, nodeCrypto);
  if (isRanked(definition.method) && choices.length >= COUNT_IN_WORKER_FROM) return runCountInWorker(contest, choices, ctx);
  return count(contest, choices, ctx);
}
