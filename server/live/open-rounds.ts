import type { RoundDefinition } from '../../shared/protocol/types';
import type { CommittedTurnout, RoundListener } from '../rounds/events';

/** What is on disk of an open round, as its last event said. */
export interface CommittedRound {
  readonly definition: RoundDefinition;
  readonly electorate: number;
  head: string;
  turnout: CommittedTurnout;
}

/**
 * The committed state of each open round, kept from the round events (ready,
 * committed, status) so that a push is made without asking the rounds
 * services: an open round's push is read from here, a closed one's from its
 * view. An entry is moved in place, so a push that took hold of it before
 * waiting for its tally reads the state as of the end of that wait.
 */
export class OpenRounds {
  private readonly rounds = new Map<string, CommittedRound>();

  readonly listener: RoundListener = {
    ready: (roundId, e) => {
      this.rounds.set(roundId, { definition: e.definition, electorate: e.electorate, head: e.head, turnout: e.turnout });
    },
    committed: (roundId, e) => {
      const round = this.rounds.get(roundId);
      if (round === undefined) return;
      round.head = e.head;
      round.turnout = e.turnout;
    },
    status: (roundId, e) => {
      if (e.status !== 'open') this.rounds.delete(roundId);
    },
  };

  of(roundId: string): CommittedRound | undefined {
    return this.rounds.get(roundId);
  }
}
