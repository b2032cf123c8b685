/** fast-check generators and helpers shared by the ranked-count tests. */
import fc from 'fast-check';
import type { RankedBallot } from '../../shared/counting/ranked';
import type { CountOption } from '../../shared/counting/types';

export interface RandomElection {
  readonly options: CountOption[];
  readonly ballots: RankedBallot[];
  readonly lotOrder: string[];
  readonly seats: number;
}

/** Small elections: 1-6 options, up to 40 ballots (some weighted, some blank), a random lot. */
export function randomElection(opts: { maxOptions?: number; maxBallots?: number; maxSeats?: number } = {}): fc.Arbitrary<RandomElection> {
  const maxOptions = opts.maxOptions ?? 6;
  return fc.integer({ min: 1, max: maxOptions }).chain((n) => {
    const options = Array.from({ length: n }, (_, i) => ({ id: `opt${i}`, label: `Option ${i}` }));
    const ids = options.map((o) => o.id);
    const ballot = fc.record(
      { ranking: fc.shuffledSubarray(ids), weight: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 4 })) },
      { requiredKeys: ['ranking'] },
    );
    return fc.record({
      options: fc.constant(options),
      ballots: fc.array(ballot, { maxLength: opts.maxBallots ?? 40 }).map((bs) => bs.map((b) => (b.weight === undefined ? { ranking: b.ranking } : b))),
      lotOrder: fc.shuffledSubarray(ids, { minLength: n, maxLength: n }),
      seats: fc.integer({ min: 1, max: opts.maxSeats ?? 4 }),
    });
  });
}

/** A deterministic shuffle (Fisher-Yates driven by a seed). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/** Every string (and object key) equal to a key of `names` replaced by its value, deep. */
export function renameDeep(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return names.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => renameDeep(v, names));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [names.get(k) ?? k, renameDeep(v, names)]));
  }
  return value;
}

/** The same election with every option id renamed (labels kept). */
export function renamed(e: RandomElection, names: ReadonlyMap<string, string>): RandomElection {
  const to = (id: string): string => names.get(id) ?? id;
  return {
    options: e.options.map((o) => ({ id: to(o.id), label: o.label })),
    ballots: e.ballots.map((b) => ({ ...b, ranking: b.ranking.map(to) })),
    lotOrder: e.lotOrder.map(to),
    seats: e.seats,
  };
}

export function renaming(options: readonly CountOption[]): Map<string, string> {
  return new Map(options.map((o, i) => [o.id, `renamed-${(i * 7 + 3) % 11}-${o.id.length}`]));
}

/** A decimal string as an integer count of its last place ("12.34500" -> 1234500n). */
export function units(decimal: string): bigint {
  return BigInt(decimal.replace('.', ''));
}
