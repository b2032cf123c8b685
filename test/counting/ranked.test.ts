import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildProfile, exactKeyLength, type Profile, type RankedBallot } from '../../shared/counting/ranked';
import type { CountOption } from '../../shared/counting/types';
import { randomElection } from './arbitraries';

/** The plain way: a Map keyed by the joined ranking, groups in the order first seen. */
function referenceGroups(options: readonly CountOption[], ballots: readonly RankedBallot[]): { groups: [number[], number][]; valid: number; blank: number } {
  const index = new Map(options.map((o, i) => [o.id, i]));
  const groups = new Map<string, [number[], number]>();
  let valid = 0;
  let blank = 0;
  for (const ballot of ballots) {
    const weight = ballot.weight ?? 1;
    if (ballot.ranking.length === 0) {
      blank += weight;
      continue;
    }
    valid += weight;
    const ranking = ballot.ranking.map((id) => index.get(id) ?? -1);
    const key = ranking.join(',');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [ranking, weight]);
    else group[1] += weight;
  }
  return { groups: [...groups.values()], valid, blank };
}

function groupsOf(profile: Profile): [number[], number][] {
  return Array.from({ length: profile.groups }, (_, g) => [Array.from(profile.cand.subarray(profile.start[g], profile.start[g + 1])), profile.count[g] ?? 0]);
}

function expectReference(options: readonly CountOption[], ballots: readonly RankedBallot[]): void {
  const profile = buildProfile(options, 1, ballots, options.map((o) => o.id), Number.MAX_SAFE_INTEGER);
  const want = referenceGroups(options, ballots);
  expect(groupsOf(profile)).toEqual(want.groups);
  expect({ valid: profile.valid, blank: profile.blank, entries: profile.cand.length }).toEqual({
    valid: want.valid,
    blank: want.blank,
    entries: want.groups.reduce((a, [r]) => a + r.length, 0),
  });
  expect(profile.ids).toEqual(options.map((o) => o.id));
}

/**
 * Ballots drawn with repetition from a pool of rankings over up to
 * `maxOptions` options, so that long rankings (past exactKeyLength) repeat
 * and share beginnings; some weighted, some blank.
 */
function pooledElection(maxOptions: number, idOf: (i: number) => string = (i) => `o${i}`): fc.Arbitrary<{ options: CountOption[]; ballots: RankedBallot[] }> {
  return fc.integer({ min: 1, max: maxOptions }).chain((n) => {
    const options = Array.from({ length: n }, (_, i) => ({ id: idOf(i), label: `Option ${i}` }));
    const ids = options.map((o) => o.id);
    return fc.array(fc.shuffledSubarray(ids), { minLength: 1, maxLength: 12 }).chain((pool) =>
      fc.record({
        options: fc.constant(options),
        ballots: fc.array(
          fc.record({ ranking: fc.constantFrom(...pool), weight: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 5 })) }).map((b) => (b.weight === undefined ? { ranking: b.ranking } : b)),
          { maxLength: 60 },
        ),
      }),
    );
  });
}

describe('buildProfile', () => {
  it('knows how long a ranking can be for an exact key', () => {
    expect(exactKeyLength(1)).toBe(53);
    expect(exactKeyLength(20)).toBe(12); // 21^12 < 2^53 < 21^13
    expect(exactKeyLength(300)).toBe(6);
    expect(exactKeyLength(65535)).toBe(3);
  });

  it('groups like the plain Map of joined rankings, in the order first seen', () => {
    fc.assert(fc.property(randomElection({ maxOptions: 6, maxBallots: 80 }), (e) => expectReference(e.options, e.ballots)));
  });

  it('groups rankings too long for an exact key the same way (300 options: longer than 6)', () => {
    fc.assert(fc.property(pooledElection(300), (e) => expectReference(e.options, e.ballots)), { numRuns: 60 });
  });

  it('groups the same when option ids share the id hash (same length and sampled characters)', () => {
    // Every id "<two digits>0000zz" has the same length, last two and middle characters.
    const alike = (i: number): string => `${String(i).padStart(2, '0')}0000zz`;
    fc.assert(fc.property(pooledElection(30, alike), (e) => expectReference(e.options, e.ballots)));
    // One in ten alike: the table is used, with longer probes.
    fc.assert(fc.property(pooledElection(40, (i) => (i % 10 === 0 ? alike(i) : `id-${i}`)), (e) => expectReference(e.options, e.ballots)));
  });

  it('groups a large count with many distinct rankings (the table grows)', () => {
    const options = Array.from({ length: 20 }, (_, i) => ({ id: `o${i}`, label: `O${i}` }));
    const ballots: RankedBallot[] = [];
    let state = 7;
    const next = (k: number): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state >>> 8) % k;
    };
    for (let b = 0; b < 20_000; b++) {
      const ids = options.map((o) => o.id);
      const ranking: string[] = [];
      const length = 1 + next(b % 7 === 0 ? 20 : 6);
      for (let k = 0; k < length; k++) ranking.push(ids.splice(next(ids.length), 1)[0] ?? '');
      ballots.push(b % 5 === 0 ? { ranking, weight: 1 + next(3) } : { ranking });
    }
    expectReference(options, ballots);
  });

  it('throws on what checkChoice would have refused', () => {
    const options = [
      { id: 'a', label: 'A' },
      { id: 'b', label: 'B' },
    ];
    const profile = (ballots: unknown[]): Profile => buildProfile(options, 1, ballots as RankedBallot[], ['a', 'b'], 100);
    expect(() => profile([{ ranking: ['a', 'c'] }])).toThrow(/ballot 0 ranks unknown option "c"/);
    expect(() => profile([{ ranking: ['b'] }, { ranking: ['b', 'a', 'b'] }])).toThrow(/ballot 1 ranks "b" twice/);
    expect(() => profile([{ ranking: ['a', 7] }])).toThrow(/unknown option 7/);
    expect(() => profile([{ pick: 'a' }])).toThrow(/ranking/);
    expect(() => profile([{ ranking: ['a'], weight: 1.5 }])).toThrow(/weight/);
    expect(() => profile([{ ranking: ['a'], weight: 60 }, { ranking: ['b'], weight: 41 }])).toThrow(/at most 100 ballots/);
  });
});
