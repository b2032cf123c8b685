import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count, type CountResult } from '../../shared/counting/index';
import { countApproval } from '../../shared/counting/approval';
import { checkChoice } from '../../shared/counting/choice';
import type { ContestOf } from '../../shared/counting/plurality';
import { countSchulze } from '../../shared/counting/schulze';
import type { Choice, Contest, CountContext } from '../../shared/counting/types';

/** The methods counted in this library (IRV and STV have their own tests). */
const METHODS = ['plurality', 'approval', 'yesno', 'score', 'cumulative', 'borda', 'schulze'] as const;
type LocalMethod = (typeof METHODS)[number];

interface Election {
  readonly contest: Contest;
  readonly ballots: readonly Choice[];
  readonly ctx: CountContext;
}

const idsOf = (n: number) => Array.from({ length: n }, (_, i) => `o${i}`);
const permutation = <T>(items: readonly T[]) => fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });

function contestArb(method: LocalMethod, ids: string[]): fc.Arbitrary<Contest> {
  const options = ids.map((id) => ({ id, label: id.toUpperCase() }));
  const seats = fc.integer({ min: 1, max: ids.length + 1 });
  switch (method) {
    case 'approval':
      return fc.record({ seats, max: fc.option(fc.integer({ min: 1, max: ids.length }), { nil: undefined }) }).map(
        ({ seats: s, max }): Contest => ({ method, options, seats: s, rules: max === undefined ? {} : { maxApprovals: max } }),
      );
    case 'yesno':
      return fc
        .record({
          quorum: fc.option(fc.record({ kind: fc.constant('absolute' as const), count: fc.integer({ min: 1, max: 20 }) }), { nil: undefined }),
          threshold: fc.oneof(
            fc.constant({ kind: 'simple' as const }),
            fc.record({ kind: fc.constant('qualified' as const), numerator: fc.constantFrom(1, 2, 3), denominator: fc.constant(3) }),
          ),
        })
        .map(({ quorum, threshold }): Contest => ({ method, options, seats: 1, rules: quorum === undefined ? { threshold } : { quorum, threshold } }));
    case 'score':
      return fc.record({ seats, min: fc.integer({ min: -3, max: 1 }), span: fc.integer({ min: 1, max: 6 }) }).map(
        ({ seats: s, min, span }): Contest => ({ method, options, seats: s, rules: { min, max: min + span } }),
      );
    case 'cumulative':
      return fc.record({ seats, budget: fc.integer({ min: 1, max: 6 }) }).map(({ seats: s, budget }): Contest => ({ method, options, seats: s, rules: { budget } }));
    case 'plurality':
    case 'borda':
    case 'schulze':
      return seats.map((s): Contest => ({ method, options, seats: s, rules: {} }));
    default:
      throw new Error(`no contest generator for ${String(method)}`);
  }
}

function choiceArb(contest: Contest, ids: string[]): fc.Arbitrary<Choice> {
  // Skewed towards the first options so ties and clear winners both occur.
  const popular = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...ids.slice(0, 2)) }, { weight: 1, arbitrary: fc.constantFrom(...ids) });
  switch (contest.method) {
    case 'plurality':
      return popular.map((pick) => ({ pick }));
    case 'approval':
      return fc.shuffledSubarray(ids, { maxLength: contest.rules.maxApprovals ?? ids.length }).map((approve) => ({ approve }));
    case 'yesno':
      return fc.constantFrom('yes', 'no', 'abstain').map((answer) => ({ answer }));
    case 'score': {
      const { min, max } = contest.rules;
      return fc.dictionary(fc.constantFrom(...ids), fc.integer({ min, max }), { noNullPrototype: true }).map((scores) => ({ scores }));
    }
    case 'cumulative':
      return fc.array(popular, { maxLength: contest.rules.budget }).map((spent) => {
        const points: Record<string, number> = {};
        for (const id of spent) points[id] = (points[id] ?? 0) + 1;
        return { points };
      });
    case 'borda':
    case 'irv':
    case 'stv':
    case 'schulze':
      return fc.shuffledSubarray(ids).map((ranking) => ({ ranking }));
    default:
      throw new Error('unknown method');
  }
}

const electionArb = (methods: readonly LocalMethod[] = METHODS, maxBallots = 25): fc.Arbitrary<Election> =>
  fc
    .record({ method: fc.constantFrom(...methods), n: fc.integer({ min: 1, max: 6 }) })
    .chain(({ method, n }) => {
      const ids = idsOf(n);
      return contestArb(method, ids).chain((contest) =>
        fc.record({
          contest: fc.constant(contest),
          ballots: fc.array(choiceArb(contest, ids), { maxLength: maxBallots }),
          ctx: fc.record({ lotOrder: permutation(ids), electorate: fc.integer({ min: 0, max: 40 }) }),
        }),
      );
    });

/** Renames option ids everywhere in a JSON value: as strings and as object keys. */
function renamed<T>(value: T, names: ReadonlyMap<string, string>): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return names.get(v) ?? v;
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [names.get(k) ?? k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

describe('properties of every method', () => {
  it('gives results that survive JSON unchanged, from ballots that pass checkChoice', () => {
    fc.assert(
      fc.property(electionArb(), ({ contest, ballots, ctx }) => {
        for (const ballot of ballots) expect(checkChoice(contest, ballot).ok).toBe(true);
        const result = count(contest, ballots, ctx);
        expect(JSON.parse(JSON.stringify(result))).toEqual(result);
        expect(result.method).toBe(contest.method);
        expect(result.winners.length).toBeLessThanOrEqual(contest.seats);
      }),
    );
  });

  it('does not depend on the order of the ballots', () => {
    fc.assert(
      fc.property(
        electionArb().chain((e) => fc.record({ e: fc.constant(e), order: permutation(e.ballots.map((_, i) => i)) })),
        ({ e: { contest, ballots, ctx }, order }) => {
          const shuffled = order.map((i) => ballots[i] as Choice);
          expect(count(contest, shuffled, ctx)).toEqual(count(contest, ballots, ctx));
        },
      ),
    );
  });

  it('renames the result when the options are renamed', () => {
    fc.assert(
      fc.property(electionArb(), fc.string({ minLength: 1, maxLength: 5 }), ({ contest, ballots, ctx }, prefix) => {
        const names = new Map(contest.options.map((o, i) => [o.id, `${prefix.replace(/[^A-Za-z]/g, 'x')}-renamed-${i}`]));
        const renamedContest = { ...contest, options: contest.options.map((o) => ({ ...o, id: names.get(o.id) ?? o.id })) } as Contest;
        const result: CountResult = count(renamedContest, renamed(ballots, names), { ...ctx, lotOrder: renamed(ctx.lotOrder, names) });
        expect(result).toEqual(renamed(count(contest, ballots, ctx), names));
      }),
    );
  });
});

describe('schulze properties', () => {
  const rankedElection = electionArb(['schulze'], 40).map((e) => e as Election & { contest: ContestOf<'schulze'> });

  it('computes the pairwise matrix a naive count agrees with', () => {
    fc.assert(
      fc.property(rankedElection, ({ contest, ballots, ctx }) => {
        expect(countSchulze(contest, ballots, ctx).pairwise).toEqual(naivePairwise(contest.options.map((o) => o.id), ballots));
      }),
    );
  });

  it('elects a Condorcet winner first', () => {
    fc.assert(
      fc.property(rankedElection, ({ contest, ballots, ctx }) => {
        const ids = contest.options.map((o) => o.id);
        const d = naivePairwise(ids, ballots);
        const winner = ids.find((_, i) => ids.every((__, j) => i === j || (d[i]?.[j] ?? 0) > (d[j]?.[i] ?? 0)));
        // One option beats "everyone" vacuously; a Condorcet winner needs a rival.
        fc.pre(ids.length > 1 && winner !== undefined);
        expect(countSchulze(contest, ballots, ctx).winners[0]).toBe(winner);
      }),
    );
  });
});

describe('approval properties', () => {
  it('never unseats a winner who gains an approval', () => {
    fc.assert(
      fc.property(
        electionArb(['approval']).chain((e) => fc.record({ e: fc.constant(e), pick: fc.nat() })),
        ({ e, pick }) => {
          const contest = e.contest as ContestOf<'approval'>;
          const before = countApproval(contest, e.ballots, e.ctx);
          const max = contest.rules.maxApprovals ?? Infinity;
          for (const winner of before.winners) {
            const room = e.ballots
              .map((b, i) => [b, i] as const)
              .filter(([b]) => 'approve' in b && !b.approve.includes(winner) && b.approve.length < max);
            const chosen = room[pick % Math.max(room.length, 1)];
            const more = chosen === undefined
              ? [...e.ballots, { approve: [winner] }]
              : e.ballots.map((b, i) => (i === chosen[1] && 'approve' in b ? { approve: [...b.approve, winner] } : b));
            expect(countApproval(contest, more, e.ctx).winners).toContain(winner);
          }
        },
      ),
    );
  });
});

function naivePairwise(ids: readonly string[], ballots: readonly Choice[]): number[][] {
  return ids.map((a, i) =>
    ids.map((b, j) => {
      if (i === j) return 0;
      return ballots.filter((ballot) => {
        if (!('ranking' in ballot)) return false;
        const pa = ballot.ranking.indexOf(a);
        const pb = ballot.ranking.indexOf(b);
        return pa !== -1 && (pb === -1 || pa < pb);
      }).length;
    }),
  );
}
