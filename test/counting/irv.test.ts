import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countIrv, IRV_RULE, type IrvResult, type IrvRound } from '../../shared/counting/irv';
import { breakTie, type RankedBallot } from '../../shared/counting/ranked';
import type { TieRecord } from '../../shared/counting/types';
import { randomElection, renameDeep, renamed, renaming, shuffled, type RandomElection } from './arbitraries';
import { ballots } from './ranked-fixtures';
import { bltContest, electionFiles, loadBlt, readJson } from './elections';

const abc = [
  { id: 'a', label: 'Ann' },
  { id: 'b', label: 'Bob' },
  { id: 'c', label: 'Cy' },
];

function irv(options: typeof abc, ballots: readonly RankedBallot[], lotOrder = options.map((o) => o.id)): IrvResult {
  return countIrv({ method: 'irv', options, seats: 1, rules: {} }, ballots, { lotOrder });
}

function count(e: RandomElection): IrvResult {
  return countIrv({ method: 'irv', options: e.options, seats: 1, rules: {} }, e.ballots, { lotOrder: e.lotOrder });
}


describe('countIrv: Minneapolis Mayor 2017', () => {
  const [file] = electionFiles('irv');
  if (file === undefined) throw new Error('no IRV election found');
  const expected = readJson(file.replace(/\.blt$/, '.expected.json')) as {
    ballots: number;
    winner: string;
    rounds: number;
    finalRound: Record<string, number>;
    continuingInFinalRound: number;
  };
  const { options, ballots: cast } = bltContest(loadBlt(file));
  const result = irv(options, cast);

  it('elects Frey in round 18, 46,704 to 34,970 of 81,674 continuing', () => {
    expect(result.winners).toEqual([expected.winner]);
    expect(result.rounds).toHaveLength(expected.rounds);
    const last = result.rounds[result.rounds.length - 1];
    expect(last?.elected).toBe('Jacob Frey');
    expect(last?.continuing).toBe(expected.continuingInFinalRound);
    expect(Object.fromEntries(Object.entries(last?.votes ?? {}).filter(([, v]) => v > 0))).toEqual(expected.finalRound);
    expect(result.ballots).toBe(expected.ballots);
  });

  it('accounts for every ballot in every round', () => {
    for (const round of result.rounds) {
      const sum = Object.values(round.votes).reduce((a, b) => a + b, 0);
      expect(sum).toBe(round.continuing);
      expect(round.continuing + round.exhausted + result.blank).toBe(result.ballots);
    }
    expect(result.ties).toEqual([]);
  });
});

describe('countIrv: named fixtures', () => {
  it('transfers one elimination at a time and records every round', () => {
    const result = irv(abc, ballots({ ab: 4, ba: 2, c: 1, cb: 2, '': 1 }));
    expect(result).toEqual({
      method: 'irv',
      winners: ['a'],
      ties: [],
      rule: IRV_RULE,
      ballots: 10,
      blank: 1,
      rounds: [
        {
          round: 1,
          votes: { a: 4, b: 2, c: 3 },
          continuing: 9,
          exhausted: 0,
          elected: null,
          eliminated: 'b',
          transfers: { to: { a: 2, c: 0 }, exhausted: 0 },
        },
        {
          round: 2,
          votes: { a: 6, b: 0, c: 3 },
          continuing: 9,
          exhausted: 0,
          elected: 'a',
          eliminated: null,
          transfers: null,
        },
      ],
    });
  });

  it('exhausts ballots with no continuing preference', () => {
    const result = irv(abc, ballots({ a: 3, b: 2, cb: 1, c: 1 }));
    // b and c tie at 2 with no earlier round: the lot keeps b. c's ballots: one to b, one exhausted.
    // Then a and b tie at 3; round 1 (b 2 < a 3) settles it.
    expect(result.rounds.map((r) => [r.eliminated, r.transfers?.exhausted ?? null, r.continuing])).toEqual([
      ['c', 1, 7],
      ['b', 3, 6],
      [null, null, 3],
    ]);
    expect(result.winners).toEqual(['a']);
    expect(result.ties).toEqual([
      { stage: 1, decision: 'exclude', tied: ['b', 'c'], by: 'lot', chosen: 'c' },
      { stage: 2, decision: 'exclude', tied: ['a', 'b'], by: 'lookback', chosen: 'b' },
    ]);
  });

  it('elects nobody without ballots', () => {
    const result = irv(abc, []);
    expect(result.winners).toEqual([]);
    expect(result.rounds).toEqual([{ round: 1, votes: { a: 0, b: 0, c: 0 }, continuing: 0, exhausted: 0, elected: null, eliminated: null, transfers: null }]);
  });

  it('elects nobody when every ballot is blank, and counts them', () => {
    const result = irv(abc, [{ ranking: [] }, { ranking: [], weight: 4 }]);
    expect(result.winners).toEqual([]);
    expect(result.blank).toBe(5);
    expect(result.ballots).toBe(5);
  });

  it('settles a tie of every option by the lot, keeping the most favoured', () => {
    const result = irv(abc, ballots({ a: 1, b: 1, c: 1 }), ['b', 'c', 'a']);
    expect(result.winners).toEqual(['b']);
    expect(result.ties).toEqual([
      { stage: 1, decision: 'exclude', tied: ['a', 'b', 'c'], by: 'lot', chosen: 'a' },
      { stage: 2, decision: 'exclude', tied: ['b', 'c'], by: 'lot', chosen: 'c' },
    ]);
  });

  it('elects the only option', () => {
    expect(irv([{ id: 'x', label: 'X' }], [{ ranking: ['x'] }]).winners).toEqual(['x']);
  });

  it('throws on what checkChoice would have refused', () => {
    expect(() => irv(abc, [{ ranking: ['a', 'z'] }])).toThrow(/unknown option "z"/);
    expect(() => irv(abc, [{ ranking: ['a', 'a'] }])).toThrow(/twice/);
    expect(() => irv(abc, [{ pick: 'a' }] as unknown as RankedBallot[])).toThrow(/ranking/);
    expect(() => irv(abc, [{ ranking: ['a'], weight: 0 }])).toThrow(/weight/);
    expect(() => irv(abc, [], ['a', 'b'])).toThrow(/lotOrder/);
    expect(() => countIrv({ method: 'irv', options: abc, seats: 2, rules: {} }, [], { lotOrder: ['a', 'b', 'c'] })).toThrow(/one seat/);
  });
});

describe('countIrv: properties', () => {
  it('does not depend on the order of the ballots', () => {
    fc.assert(
      fc.property(randomElection(), fc.integer(), (e, seed) => {
        expect(count({ ...e, ballots: shuffled(e.ballots, seed) })).toEqual(count(e));
      }),
    );
  });

  it('renaming the options renames the result', () => {
    fc.assert(
      fc.property(randomElection(), (e) => {
        const names = renaming(e.options);
        expect(count(renamed(e, names))).toEqual(renameDeep(count(e), names));
      }),
    );
  });

  it('elects an option ranked first by a majority of ballots', () => {
    fc.assert(
      fc.property(randomElection(), (e) => {
        const result = count(e);
        const valid = result.ballots - result.blank;
        for (const o of e.options) {
          const first = e.ballots.filter((b) => b.ranking[0] === o.id).reduce((a, b) => a + (b.weight ?? 1), 0);
          if (first * 2 > valid) expect(result.winners).toEqual([o.id]);
        }
      }),
    );
  });

  it('keeps every ballot accounted for and elects one option exactly when some ballot is valid', () => {
    fc.assert(
      fc.property(randomElection(), (e) => {
        const result = count(e);
        for (const round of result.rounds) {
          expect(Object.values(round.votes).reduce((a, b) => a + b, 0)).toBe(round.continuing);
          expect(round.continuing + round.exhausted + result.blank).toBe(result.ballots);
        }
        expect(result.winners).toHaveLength(result.ballots > result.blank ? 1 : 0);
      }),
    );
  });
});

/**
 * IRV the plain way: every ballot on its own (no grouping), its current
 * option found afresh each round, ties settled by the library's breakTie.
 */
function referenceIrv(e: RandomElection): IrvResult {
  const ids = e.options.map((o) => o.id);
  const lotRank = new Int32Array(ids.length);
  e.lotOrder.forEach((id, position) => (lotRank[ids.indexOf(id)] = position));
  const ballots = e.ballots.filter((b) => b.ranking.length > 0).map((b) => ({ ranking: b.ranking.map((id) => ids.indexOf(id)), weight: b.weight ?? 1 }));
  const blank = e.ballots.reduce((a, b) => a + (b.ranking.length === 0 ? (b.weight ?? 1) : 0), 0);
  const continuing = ids.map(() => true);
  const topOf = (ranking: number[]): number => ranking.find((c) => continuing[c]) ?? -1;
  const history: number[][] = [];
  const rounds: IrvRound[] = [];
  const ties: TieRecord[] = [];
  const winners: string[] = [];
  for (let round = 1; ; round++) {
    const votes = ids.map(() => 0);
    let exhausted = 0;
    for (const b of ballots) {
      const top = topOf(b.ranking);
      if (top < 0) exhausted += b.weight;
      else votes[top] = (votes[top] ?? 0) + b.weight;
    }
    const total = votes.reduce((a, v) => a + v, 0);
    const alive = ids.flatMap((_, c) => (continuing[c] ? [c] : []));
    const leader = alive.reduce((best, c) => ((votes[c] ?? 0) > (votes[best] ?? 0) ? c : best), alive[0] ?? 0);
    const base = { round, votes: Object.fromEntries(ids.map((id, c) => [id, votes[c] ?? 0])), continuing: total, exhausted };
    if (total === 0 || (votes[leader] ?? 0) * 2 > total || alive.length === 1) {
      const elected = total === 0 ? null : (ids[leader] ?? null);
      if (elected !== null) winners.push(elected);
      rounds.push({ ...base, elected, eliminated: null, transfers: null });
      break;
    }
    const low = Math.min(...alive.map((c) => votes[c] ?? 0));
    const tied = alive.filter((c) => votes[c] === low);
    let loser = tied[0] ?? 0;
    if (tied.length > 1) {
      const settled = breakTie(tied, history, 'lowest', lotRank);
      loser = settled.chosen;
      ties.push({ stage: round, decision: 'exclude', tied: tied.map((c) => ids[c] ?? ''), by: settled.by, chosen: ids[loser] ?? '' });
    }
    history.push(votes);
    const moving = ballots.filter((b) => topOf(b.ranking) === loser);
    continuing[loser] = false;
    const to = Object.fromEntries(alive.filter((c) => c !== loser).map((c) => [ids[c] ?? '', 0]));
    let lost = 0;
    for (const b of moving) {
      const next = topOf(b.ranking);
      if (next < 0) lost += b.weight;
      else to[ids[next] ?? ''] = (to[ids[next] ?? ''] ?? 0) + b.weight;
    }
    rounds.push({ ...base, elected: null, eliminated: ids[loser] ?? null, transfers: { to, exhausted: lost } });
  }
  return { method: 'irv', winners, ties, rule: IRV_RULE, ballots: ballots.reduce((a, b) => a + b.weight, 0) + blank, blank, rounds };
}

describe('countIrv: against a plain count of every ballot', () => {
  it('gives the same rounds, transfers and ties on random elections', () => {
    fc.assert(
      fc.property(randomElection({ maxOptions: 8, maxBallots: 300 }), (e) => {
        expect(count(e)).toEqual(referenceIrv(e));
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same when an elimination walks the loser\'s few groups and when it passes over all', () => {
    // 200 distinct rankings of the big options and a lone ballot for "z": z
    // holds 1 group in 201, so its elimination walks its list; the next ones
    // hold many groups and are passed over in order.
    const options = ['a', 'b', 'c', 'd', 'e', 'f', 'z'].map((id) => ({ id, label: id.toUpperCase() }));
    const big = ['a', 'b', 'c', 'd', 'e', 'f'];
    const ballots: RankedBallot[] = [{ ranking: ['z', 'c', 'a'] }];
    let state = 3;
    const seen = new Set<string>();
    while (seen.size < 200) {
      const left = [...big];
      const ranking: string[] = [];
      for (let k = 0; k < 4; k++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        ranking.push(left.splice((state >>> 16) % left.length, 1)[0] ?? '');
      }
      if (seen.has(ranking.join())) continue;
      seen.add(ranking.join());
      ballots.push({ ranking, weight: 1 + ((state >>> 20) % 3) });
    }
    const e: RandomElection = { options, ballots, lotOrder: options.map((o) => o.id), seats: 1 };
    const result = count(e);
    expect(result.rounds[0]?.eliminated).toBe('z');
    expect(result.rounds.length).toBeGreaterThan(3);
    expect(result).toEqual(referenceIrv(e));
  });
});
