import type { RoundDefinition } from '../../shared/protocol/types';
import type { CommittedEntry } from './board-writer';
import type { RoundStatus } from './model';

/** Turnout as committed: voters with a ballot on the board, and board entries. */
export interface CommittedTurnout {
  readonly voters: number;
  readonly ballots: number;
}

/**
 * What the rounds services announce, each only after its change is committed
 * (so whoever listens, `live/` above all, only ever passes on what is on
 * disk). Listeners learn the committed state from these events and never read
 * the services' ledgers.
 */
export interface RoundEventMap {
  /**
   * An open round takes ballots from this committed state on: it was opened
   * now, or found open when the server started.
   */
  ready: {
    readonly definition: RoundDefinition;
    readonly head: string;
    readonly turnout: CommittedTurnout;
    readonly electorate: number;
  };
  /**
   * A group commit put these entries of the round on disk: one event per
   * round per batch, never one per ballot, so a burst of ballots costs the
   * listeners one call per round.
   */
  committed: {
    readonly entries: readonly CommittedEntry[];
    readonly head: string;
    readonly turnout: CommittedTurnout;
  };
  /** The round moved to this status. */
  status: { readonly status: RoundStatus };
  /** A closed round's board was counted (once per round; the result is kept). */
  counted: { readonly head: string };
}

export type RoundEventName = keyof RoundEventMap;

/** Handlers for some of the events; each gets the round's id and the event. */
export type RoundListener = { readonly [K in RoundEventName]?: (roundId: string, event: RoundEventMap[K]) => void };

/**
 * A typed emitter, hand-written rather than node:events: listeners subscribe
 * as one object of handlers (`on({ committed, status })`), which is how the
 * callers read best; calls are synchronous and in subscription order, so a
 * listener that reads the committed state sees it as the event left it; and
 * there is no special `error` event nor listener-count warning to trip over.
 */
export class RoundEventEmitter {
  private readonly listeners: RoundListener[] = [];

  on(listener: RoundListener): void {
    this.listeners.push(listener);
  }

  emit<K extends RoundEventName>(name: K, roundId: string, event: RoundEventMap[K]): void {
    for (const l of this.listeners) l[name]?.(roundId, event);
  }
}
