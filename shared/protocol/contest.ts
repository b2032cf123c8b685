/**
 * From the protocol's round and board to the counting library's input.
 */
import { assertNever } from '../result';
import type { Contest, CountContext } from '../counting/types';
import { lotOrder } from './board';
import { portableCrypto } from './crypto-portable';
import type { ProtocolCrypto } from './signing';
import type { BoardEntry, RoundDefinition } from './types';

/** The Contest the counting library counts for a round definition. */
export function contestOf(definition: RoundDefinition): Contest {
  const { options, seats } = definition;
  switch (definition.method) {
    case 'plurality':
      return { method: 'plurality', options, seats, rules: definition.rules };
    case 'approval':
      return { method: 'approval', options, seats, rules: definition.rules };
    case 'yesno':
      return { method: 'yesno', options, seats, rules: definition.rules };
    case 'score':
      return { method: 'score', options, seats, rules: definition.rules };
    case 'cumulative':
      return { method: 'cumulative', options, seats, rules: definition.rules };
    case 'borda':
      return { method: 'borda', options, seats, rules: definition.rules };
    case 'irv':
      return { method: 'irv', options, seats, rules: definition.rules };
    case 'stv':
      return { method: 'stv', options, seats, rules: definition.rules };
    case 'schulze':
      return { method: 'schulze', options, seats, rules: definition.rules };
    default:
      return assertNever(definition, 'method');
  }
}

/**
 * What a count of the round needs besides its contest and ballots: the
 * electorate fixed at opening (a yes/no quorum may be a share of it) and the
 * lot drawn from the board's head, so that the server's count, its live
 * recounts and any verifier break ties alike.
 */
export function countContextOf(definition: RoundDefinition, finalHead: string, crypto: Pick<ProtocolCrypto, 'sha256'> = portableCrypto): CountContext {
  return {
    electorate: definition.electorate.count,
    lotOrder: lotOrder(
      finalHead,
      definition.options.map((o) => o.id),
      crypto,
    ),
  };
}

/**
 * The entries whose ballots count, one per voter who has any, in board order
 * (ascending seq). With `revote: true` a voter's latest accepted ballot (the
 * highest seq) counts; with `revote: false` the server refuses a second one,
 * so a voter has only one, and should a board hold more anyway, the first
 * stands, as the server would have kept it.
 */
export function countingBallots<E extends Pick<BoardEntry, 'seq' | 'voter'>>(
  definition: Pick<RoundDefinition, 'revote'>,
  board: readonly E[],
): E[] {
  const chosen = new Map<string, E>();
  for (const entry of board) {
    const current = chosen.get(entry.voter);
    if (current === undefined) chosen.set(entry.voter, entry);
    else if (definition.revote ? entry.seq > current.seq : entry.seq < current.seq) chosen.set(entry.voter, entry);
  }
  return [...chosen.values()].sort((a, b) => a.seq - b.seq);
}
