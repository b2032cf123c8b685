import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { floorDiv, formatFixed, mulDivCeil, mulDivCeilFraction, mulDivCeilSmall, mulDivFloor } from '../../shared/counting/fixed';
import type { RankedBallot } from '../../shared/counting/ranked';
import { countStv, type StvResult } from '../../shared/counting/stv';
import { countMeek, MAX_NUMBER_VALID } from '../../shared/counting/stv-meek';
import type { CountOption } from '../../shared/counting/types';
import { randomElection, renameDeep, renamed, renaming, shuffled, units, type RandomElection } from './arbitraries';
import { letters, ballots, expectStagesBalance } from './ranked-fixtures';
import { bltContest, electionFiles, loadBlt, readJson } from './elections';

function meek(options: readonly CountOption[], seats: number, ballots: readonly RankedBallot[], lotOrder = options.map((o) => o.id)): StvResult {
  return countStv({ method: 'stv', options, seats, rules: { variant: 'meek' } }, ballots, { lotOrder });
}

function count(e: RandomElection): StvResult {
  return meek(e.options, e.seats, e.ballots, e.lotOrder);
}


interface ExpectedStage {
  after: string;
  votes?: Record<string, string>;
  quota?: string;
  residual?: string;
}
interface Expected {
  ballots: number;
  quota: string;
  elected: string[];
  stages: ExpectedStage[];
}

function kindOf(after: string): string {
  if (after === 'first preferences') return 'first-preferences';
  if (after.startsWith('Elect remaining')) return 'elect-remaining';
  if (after.startsWith('Defeat remaining')) return 'defeat-remaining';
  if (after.startsWith('Elect')) return 'elect';
  if (after.startsWith('Defeat')) return 'defeat';
  throw new Error(`unknown stage ${after}`);
}

describe('Meek STV: the PR Foundation reference cases', () => {
  const files = electionFiles('meek');
  it('has the five cases', () => expect(files).toHaveLength(5));

  it.each(files.map((f) => [f.split('/').pop() ?? f, f]))('%s', (_name, file) => {
    const election = loadBlt(file);
    const expected = readJson(file.replace(/\.blt$/, '.expected.json')) as Expected;
    const { options, ballots: cast } = bltContest(election);
    // The reference breaks ties by defeating the first tied candidate in
    // ballot order: the same as a lot that favours the last one most.
    const result = meek(options, election.seats, cast, options.map((o) => o.id).reverse());

    expect(result.valid).toBe(expected.ballots);
    expect(result.winners).toEqual(expected.elected);
    expect(result.stages[0]?.quota).toBe(expected.quota);

    const stages = expected.stages.filter((s) => s.votes !== undefined);
    expect(result.stages).toHaveLength(stages.length);
    stages.forEach((want, i) => {
      const got = result.stages[i];
      expect({ stage: i + 1, kind: got?.action.kind, votes: got?.votes, quota: got?.quota }).toEqual({
        stage: i + 1,
        kind: kindOf(want.after),
        votes: want.votes,
        quota: want.quota,
      });
      const surplus = /surplus (\d+\.\d+)/.exec(want.after)?.[1];
      if (surplus !== undefined) expect(got?.action).toMatchObject({ kind: 'defeat', surplus });
      // The reference does not redistribute after the last defeat before
      // "Elect remaining", so its residual there leaves the defeated
      // candidate's votes unaccounted for; this count redistributes them.
      const total = Object.values(want.votes ?? {}).reduce((a, v) => a + units(v), 0n) + units(want.residual ?? '0');
      if (total === BigInt(expected.ballots) * 10n ** 9n) expect(got?.nonTransferable).toBe(want.residual);
    });

    const ties = expected.stages
      .map((s) => /^Break tie \(defeat low candidate\): \[(.*)\] -> (.*)$/.exec(s.after))
      .filter((m) => m !== null)
      .map((m) => ({ tied: (m[1] ?? '').split(', '), chosen: m[2] }));
    expect(result.ties.map((t) => ({ tied: t.tied, chosen: t.chosen }))).toEqual(ties);
    for (const tie of result.ties) expect(tie).toMatchObject({ decision: 'exclude', by: 'lot' });
    expectStagesBalance(result);
  });
});

describe('Meek STV: named fixtures', () => {
  it('elects Castor, then defeats Pollux (surplus below omega), then Helen fills the last seat', () => {
    const result = meek(letters('cph'), 2, ballots({ cp: 4, h: 2 }), ['h', 'p', 'c']);
    expect(result.stages.map((s) => [s.action.kind, s.elected, s.excluded])).toEqual([
      ['first-preferences', [], []],
      ['elect', ['c'], []],
      ['defeat', [], ['p']],
      ['elect-remaining', ['h'], []],
    ]);
    expect(result.stages[1]?.keepFactors).toEqual({ c: '1.000000000', p: '1.000000000', h: '1.000000000' });
    expect(result.stages[2]?.keepFactors?.['c']).toBe('0.500000001');
    expect(result.stages[3]?.votes).toEqual({ c: '2.000000004', p: '0.000000000', h: '2.000000000' });
    expect(result.stages[3]?.nonTransferable).toBe('1.999999996');
    expect(result.winners).toEqual(['c', 'h']);
    expect(result.excluded).toEqual(['p']);
    expectStagesBalance(result);
  });

  it('elects nobody without ballots or with blank ballots only', () => {
    for (const cast of [[], [{ ranking: [] }, { ranking: [], weight: 2 }]]) {
      const result = meek(letters('abc'), 2, cast);
      expect(result.winners).toEqual([]);
      expect(result.stages).toHaveLength(1);
    }
  });

  it('elects every option when there are fewer options than seats', () => {
    const result = meek(letters('abc'), 4, ballots({ c: 1, ba: 2 }));
    expect(result.winners).toEqual(['a', 'b', 'c']);
    expect(result.stages.map((s) => s.action.kind)).toEqual(['first-preferences', 'elect-remaining', 'elect-remaining', 'elect-remaining']);
  });

  it('settles a tie of every option by the lot, defeating the least favoured', () => {
    const result = meek(letters('abcd'), 2, ballots({ a: 1, b: 1, c: 1, d: 1 }), ['c', 'a', 'd', 'b']);
    expect(result.excluded).toEqual(['b', 'd']);
    expect(result.winners).toEqual(['a', 'c']);
    expect(result.ties).toEqual([
      { stage: 2, decision: 'exclude', tied: ['a', 'b', 'c', 'd'], by: 'lot', chosen: 'b' },
      { stage: 3, decision: 'exclude', tied: ['a', 'c', 'd'], by: 'lot', chosen: 'd' },
    ]);
  });
});

describe('Meek STV: properties', () => {
  it('does not depend on the order of the ballots', () => {
    fc.assert(
      fc.property(randomElection(), fc.integer(), (e, seed) => {
        expect(count({ ...e, ballots: shuffled(e.ballots, seed) })).toEqual(count(e));
      }),
      { numRuns: 60 },
    );
  });

  it('renaming the options renames the result', () => {
    fc.assert(
      fc.property(randomElection(), (e) => {
        const names = renaming(e.options);
        expect(count(renamed(e, names))).toEqual(renameDeep(count(e), names));
      }),
      { numRuns: 60 },
    );
  });

  it('balances every stage, keeps keep factors within 0..1 and fills the seats it can', () => {
    fc.assert(
      fc.property(randomElection({ maxOptions: 7, maxBallots: 50 }), (e) => {
        const result = count(e);
        expectStagesBalance(result);
        for (const stage of result.stages) {
          for (const kf of Object.values(stage.keepFactors ?? {})) expect(units(kf) >= 0n && units(kf) <= 10n ** 9n).toBe(true);
        }
        expect(result.winners.length).toBe(result.valid === 0 ? 0 : Math.min(e.seats, e.options.length));
      }),
    );
  });
});

describe('Meek STV: the fast way through the keep factors against the bigint reference', () => {
  const both = (e: RandomElection): [StvResult, StvResult] => {
    const contest = { method: 'stv' as const, options: e.options, seats: e.seats, rules: { variant: 'meek' as const } };
    return [countMeek(contest, e.ballots, { lotOrder: e.lotOrder }), countMeek(contest, e.ballots, { lotOrder: e.lotOrder }, { arithmetic: 'bigint' })];
  };

  it('gives identical results, stage by stage, on small random elections', () => {
    fc.assert(
      fc.property(randomElection({ maxOptions: 7, maxBallots: 60, maxSeats: 4 }), (e) => {
        const [fast, reference] = both(e);
        expect(fast).toEqual(reference);
      }),
      { numRuns: 200 },
    );
  });

  it('gives identical results when rankings share long beginnings and ballots are heavily weighted', () => {
    // A few rankings over up to 10 options, repeated with weights: deep trees, keep factors far from 1.
    const election = fc.integer({ min: 2, max: 10 }).chain((n) => {
      const options = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, label: `C${i}` }));
      const ids = options.map((o) => o.id);
      return fc.array(fc.shuffledSubarray(ids, { minLength: 1 }), { minLength: 1, maxLength: 8 }).chain((pool) =>
        fc.record({
          options: fc.constant(options),
          ballots: fc.array(fc.record({ ranking: fc.constantFrom(...pool), weight: fc.integer({ min: 1, max: 1000 }) }), { maxLength: 40 }),
          lotOrder: fc.shuffledSubarray(ids, { minLength: n, maxLength: n }),
          seats: fc.integer({ min: 1, max: n }),
        }),
      );
    });
    fc.assert(
      fc.property(election, (e) => {
        const [fast, reference] = both(e);
        expect(fast).toEqual(reference);
      }),
      { numRuns: 150 },
    );
  });

  it('counts past the exact-number bound in bigint', () => {
    // More valid ballots than MAX_NUMBER_VALID: figures pass 2^53 and only bigint is exact.
    const big = MAX_NUMBER_VALID + 1_000_003;
    const result = meek(letters('abcd'), 2, ballots({ ab: big, b: 3_000_001, cd: 2_500_000, dc: 2_400_000 }), ['a', 'b', 'c', 'd']);
    expect(result.valid).toBe(big + 7_900_001);
    expect(BigInt(result.valid) * 10n ** 9n).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expectStagesBalance(result);
    expect(result.winners).toEqual(['a', 'b']);
    expect(result.stages[0]?.votes['a']).toBe(`${big}.000000000`);
  });
});

describe('fixed-point helpers', () => {
  it('multiplies and divides exactly', () => {
    const below30 = fc.integer({ min: 0, max: 2 ** 30 - 1 });
    fc.assert(
      fc.property(below30, below30, fc.integer({ min: 2 ** 8, max: 2 ** 30 - 1 }), (a, b, d) => {
        const p = BigInt(a) * BigInt(b);
        fc.pre(p / BigInt(d) < BigInt(Number.MAX_SAFE_INTEGER)); // results are counts of votes: exact integers
        const ceil = (p + BigInt(d) - 1n) / BigInt(d);
        expect(BigInt(mulDivCeilSmall(a, b, d))).toBe(ceil);
        expect(BigInt(mulDivCeil(a, b, d))).toBe(ceil);
        expect(BigInt(mulDivFloor(a, b, d))).toBe(p / BigInt(d));
      }),
    );
    const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(safe, fc.integer({ min: 1, max: 2 ** 40 }), (x, d) => {
        expect(BigInt(floorDiv(x, d))).toBe(BigInt(x) / BigInt(d));
      }),
    );
    expect(mulDivCeilSmall(1_000_000_000, 500_000_001, 1_000_000_000)).toBe(500_000_001);
    // a * (b / d) rounded up for a, b <= d <= 2^30, edges included.
    const fraction = fc.integer({ min: 1, max: 2 ** 30 }).chain((d) => {
      const upTo = fc.oneof(fc.integer({ min: 0, max: d }), fc.constantFrom(0, 1, d - 1, d));
      return fc.tuple(upTo, upTo, fc.constant(d));
    });
    fc.assert(
      fc.property(fraction, ([a, b, d]) => {
        expect(BigInt(mulDivCeilFraction(a, b, d))).toBe((BigInt(a) * BigInt(b) + BigInt(d) - 1n) / BigInt(d));
      }),
      { numRuns: 20_000 },
    );
    expect(mulDivCeilFraction(999_999_999, 999_999_999, 1_000_000_000)).toBe(999_999_999); // 999999998.000000001 rounded up
    expect(mulDivCeilFraction(2 ** 30, 2 ** 30 - 1, 2 ** 30)).toBe(2 ** 30 - 1);
    expect(floorDiv(Number.MAX_SAFE_INTEGER, 3)).toBe(3002399751580330);
  });

  it('formats scaled integers with every decimal', () => {
    expect(formatFixed(130000000, 5)).toBe('1300.00000');
    expect(formatFixed(4, 5)).toBe('0.00004');
    expect(formatFixed(-300000, 5)).toBe('-3.00000');
    expect(formatFixed(2000000001n, 9)).toBe('2.000000001');
    expect(formatFixed(0, 9)).toBe('0.000000000');
  });
});
