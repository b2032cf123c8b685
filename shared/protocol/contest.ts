/**
 * From the protocol's round and board to the counting library's input.
 */
import { assertNever } from '../result';
import type { Contest, CountContext } from '../counting/types';
import { lotOrder } from './board';
import { portableCrypto } from './crypto-portable';
import type { ProtocolCrypto } from './signing';
import type { AnyBoardEntry, RoundDefinition } from './types';

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
 * Whom an entry's ballot speaks for: in a named round (protocol 1) its voter's
 * pseudonym; in a secret round (protocol 2) its credential, for a credential
 * is what one eligible member obtained once. Revote and the count go by it.
 */
export function voterOfEntry(entry: AnyBoardEntry): string {
  return 'voter' in entry ? entry.voter : entry.ballot.credential;
}

/**
 * The entries whose ballots count, one per voter who has any, in board order
 * (ascending seq). With `revote: true` a voter's latest accepted ballot (the
 * highest seq) counts; with `revote: false` the server refuses a second one,
 * so a voter has only one, and should a board hold more anyway, the first
 * stands, as the server would have kept it. A voter is whatever `voterOf`
 * says (`voterOfEntry` for board entries of either protocol).
 */
export function countingBallots<E extends { readonly seq: number }>(
  definition: Pick<RoundDefinition, 'revote'>,
  board: readonly E[],
  voterOf: (entry: E) => string,
): E[] {
  const chosen = new Map<string, E>();
  for (const entry of board) {
    const voter = voterOf(entry);
    const current = chosen.get(voter);
    if (current === undefined) chosen.set(voter, entry);
    else if (definition.revote ? entry.seq > current.seq : entry.seq < current.seq) chosen.set(voter, entry);
  }
  return [...chosen.values()].sort((a, b) => a.seq - b.seq);
}
