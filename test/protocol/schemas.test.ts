import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rulesSchema } from '../../shared/counting/rules';
import { METHODS, type Method } from '../../shared/counting/types';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import {
  BallotObjectSchema,
  BallotSchema,
  BoardEntryObjectSchema,
  BoardEntrySchema,
  BundleSchema,
  isBallotShape,
  isBoardEntryShape,
  isRegisterEntryShape,
  isTimestamp,
  OutcomeResultSchema,
  parseWith,
  RegisterEntryObjectSchema,
  RegisterSchema,
  RoundDefinitionSchema,
} from '../../shared/protocol/schemas';
import type { RoundDefinition } from '../../shared/protocol/types';
import { ballotArb, bytesArb, idArb } from './arbitraries';
import { buildBundle, DEFAULT_DEFINITION, viaJson } from './bundle-fixture';
import { allPaths, getAt, otherValue, without, withValue } from './mutate';

const RULES: Record<Method, unknown> = {
  plurality: {},
  approval: { maxApprovals: 2 },
  yesno: { quorum: { kind: 'share', numerator: 1, denominator: 3 }, threshold: { kind: 'qualified', numerator: 2, denominator: 3 } },
  score: { min: 0, max: 5 },
  cumulative: { budget: 10 },
  borda: {},
  irv: {},
  stv: { variant: 'scottish' },
  schulze: {},
};

function definitionFor(method: Method, extra: Record<string, unknown> = {}): unknown {
  return { ...DEFAULT_DEFINITION, method, rules: RULES[method], ...(method === 'irv' ? { seats: 1 } : {}), ...extra };
}

describe('round definition', () => {
  it('accepts a definition of every method, with its rules as the counting library parses them', () => {
    for (const method of METHODS) {
      expect(parseWith(RoundDefinitionSchema, definitionFor(method)).ok, method).toBe(true);
      expect(rulesSchema(method).safeParse(RULES[method]).success, method).toBe(true);
    }
  });

  it('refuses rules that leave a default unstated, or that do not fit the method', () => {
    const refused = [
      definitionFor('yesno', { rules: {} }),
      definitionFor('stv', { rules: {} }),
      definitionFor('score', { rules: { min: 0 } }),
      definitionFor('cumulative', { rules: {} }),
      definitionFor('plurality', { rules: { maxApprovals: 1 } }),
      definitionFor('approval', { rules: { maxApprovals: 0 } }),
      definitionFor('score', { rules: { min: 5, max: 5 } }),
    ];
    for (const definition of refused) expect(parseWith(RoundDefinitionSchema, definition).ok, JSON.stringify(definition)).toBe(false);
    const missing = parseWith(RoundDefinitionSchema, definitionFor('yesno', { rules: { quorum: { kind: 'absolute', count: 3 } } }));
    expect(!missing.ok && missing.error.some((issue) => issue.message.includes('must state every default'))).toBe(true);
  });

  it('refuses repeated option ids, more seats than options, a close before the opening, and unknown fields', () => {
    const options = [
      { id: 'a', label: 'A' },
      { id: 'a', label: 'B' },
    ];
    const refused = [
      definitionFor('plurality', { options }),
      definitionFor('plurality', { seats: 5 }),
      definitionFor('plurality', { options: [] }),
      definitionFor('plurality', { closesAt: DEFAULT_DEFINITION.opensAt }),
      definitionFor('plurality', { extra: true }),
      definitionFor('plurality', { method: 'majority' }),
      definitionFor('plurality', { electorate: { count: -1 } }),
      definitionFor('plurality', { round: 'has space' }),
      definitionFor('plurality', { round: 'x'.repeat(65) }),
      definitionFor('plurality', { title: '' }),
    ];
    for (const definition of refused) expect(parseWith(RoundDefinitionSchema, definition).ok, JSON.stringify(definition)).toBe(false);
    expect(parseWith(RoundDefinitionSchema, definitionFor('plurality', { closesAt: null })).ok).toBe(true);
    expect(parseWith(RoundDefinitionSchema, definitionFor('yesno', { options: [], seats: 1 })).ok).toBe(true);
    expect(parseWith(RoundDefinitionSchema, definitionFor('irv', { seats: 2 })).ok).toBe(false);
  });

  it('returns the value it was given, not a copy', () => {
    const definition = definitionFor('approval');
    const parsed = parseWith(RoundDefinitionSchema, definition);
    expect(parsed.ok && parsed.value).toBe(definition as RoundDefinition);
  });
});

describe('field formats', () => {
  it('knows a real RFC 3339 UTC instant with milliseconds', () => {
    for (const ok of ['2026-11-23T10:00:00.000Z', '2024-02-29T23:59:59.999Z', '2000-02-29T00:00:00.000Z']) expect(isTimestamp(ok), ok).toBe(true);
    for (const bad of [
      '2026-11-23T10:00:00Z',
      '2026-11-23T10:00:00.000+01:00',
      '2026-11-23 10:00:00.000Z',
      '2025-02-29T10:00:00.000Z',
      '1900-02-29T10:00:00.000Z',
      '2026-04-31T10:00:00.000Z',
      '2026-13-01T10:00:00.000Z',
      '2026-11-23T24:00:00.000Z',
      '2026-11-23T10:60:00.000Z',
      '2026-11-23T10:00:60.000Z',
      '2026-11-23t10:00:00.000z',
    ]) {
      expect(isTimestamp(bad), bad).toBe(false);
    }
  });

  it('keeps published results to plain JSON', () => {
    expect(OutcomeResultSchema.safeParse({ method: 'plurality', winners: ['a'], ties: [], votes: { a: 1 } }).success).toBe(true);
    expect(OutcomeResultSchema.safeParse(JSON.parse('{"method":"plurality","winners":[],"x":1e400}')).success).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i += 1) deep = [deep];
    expect(OutcomeResultSchema.safeParse({ method: 'plurality', winners: [], deep }).success).toBe(false);
    expect(OutcomeResultSchema.safeParse({ method: 'dictator', winners: [] }).success).toBe(false);
  });
});

describe('register', () => {
  const { bundle } = buildBundle();

  it('must be sorted by voter, each voter once, each key under one voter', () => {
    expect(parseWith(RegisterSchema, bundle.register).ok).toBe(true);
    const [first, second] = bundle.register;
    if (first === undefined || second === undefined) throw new Error('fixture too small');
    expect(parseWith(RegisterSchema, [second, first, ...bundle.register.slice(2)]).ok).toBe(false);
    expect(parseWith(RegisterSchema, [first, first, ...bundle.register.slice(2)]).ok).toBe(false);
    const shared = [first, { ...second, keys: [...second.keys, ...first.keys] }, ...bundle.register.slice(2)];
    expect(parseWith(RegisterSchema, shared).ok).toBe(false);
    expect(parseWith(RegisterSchema, [{ ...first, keys: [] }, ...bundle.register.slice(1)]).ok).toBe(true);
  });
});

describe('the fast shape checks accept exactly what the zod objects accept', () => {
  const methods: Method[] = ['plurality', 'yesno', 'score', 'cumulative', 'borda'];
  const entries: unknown[] = [
    ...viaJson(buildBundle().bundle.board),
    ...methods.flatMap((method) => {
      const choice = { plurality: { pick: 'opt-a' }, yesno: { answer: 'no' }, score: { scores: { 'opt-a': 3 } }, cumulative: { points: { 'opt-b': 2 } }, borda: { ranking: ['opt-b', 'opt-a'] } }[method as 'plurality'];
      return viaJson(buildBundle({ definition: definitionFor(method) as RoundDefinition, ballots: [{ voter: 0, choice }] }).bundle.board);
    }),
  ];
  const register: readonly unknown[] = viaJson(buildBundle().bundle.register);

  const agree = (value: unknown): void => {
    expect(isBoardEntryShape(value), JSON.stringify(value)).toBe(BoardEntryObjectSchema.safeParse(value).success);
    expect(BoardEntrySchema.safeParse(value).success).toBe(BoardEntryObjectSchema.safeParse(value).success);
  };

  it('on board entries with any one position changed or removed', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), fc.boolean(), (e, p, pick, remove) => {
        const entry = entries[e % entries.length];
        const paths = allPaths(entry);
        const path = paths[p % paths.length] ?? [];
        agree(entry);
        agree(remove ? without(entry, path) : withValue(entry, path, otherValue(getAt(entry, path), pick)));
      }),
      { numRuns: 1500 },
    );
  });

  it('on generated ballots, raw and changed', () => {
    fc.assert(
      fc.property(ballotArb, fc.nat(), fc.nat(), (ballot, p, pick) => {
        expect(isBallotShape(ballot)).toBe(true);
        expect(BallotSchema.safeParse(ballot).success).toBe(true);
        const paths = allPaths(ballot);
        const path = paths[p % paths.length] ?? [];
        const changed = withValue(ballot, path, otherValue(getAt(ballot, path), pick));
        expect(isBallotShape(changed), JSON.stringify(changed)).toBe(BallotObjectSchema.safeParse(changed).success);
      }),
      { numRuns: 500 },
    );
  });

  it('on register entries', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), idArb, fc.array(bytesArb(32), { maxLength: 3 }), (e, p, pick, voter, keys) => {
        expect(isRegisterEntryShape({ voter, keys })).toBe(true);
        const entry = register[e % register.length];
        const paths = allPaths(entry);
        const path = paths[p % paths.length] ?? [];
        const changed = withValue(entry, path, otherValue(getAt(entry, path), pick));
        expect(isRegisterEntryShape(changed)).toBe(RegisterEntryObjectSchema.safeParse(changed).success);
      }),
      { numRuns: 300 },
    );
  });

  it('on the edges zod is strict about', () => {
    const entry = entries[0] as Record<string, unknown>;
    const ballot = entry['ballot'] as Record<string, unknown>;
    const cases: unknown[] = [
      { ...entry, seq: 0 },
      { ...entry, seq: 1.5 },
      { ...entry, seq: 2 ** 53 },
      { ...entry, seq: '1' },
      { ...entry, sig: `${String(entry['sig'])}=` },
      { ...entry, ballot: { ...ballot, nonce: encodeBase64Url(new Uint8Array(17)) } },
      { ...entry, ballot: { ...ballot, choice: { approve: ['a'], pick: 'a' } } },
      { ...entry, ballot: { ...ballot, choice: { scores: { a: 1.5 } } } },
      { ...entry, ballot: { ...ballot, choice: { scores: { 'not an id': 1 } } } },
      { ...entry, ballot: { ...ballot, choice: JSON.parse('{"scores":{"__proto__":1}}') as unknown } },
      { ...entry, ballot: { ...ballot, choice: { answer: 'maybe' } } },
      { ...entry, ballot: { ...ballot, castAt: '2026-02-30T10:00:00.000Z' } },
      Object.assign(Object.create({ inherited: 1 }) as object, entry),
      [entry],
      null,
    ];
    for (const value of cases) agree(value);
  });
});

describe('bundle', () => {
  it('names the path of each problem', () => {
    const bundle = viaJson(buildBundle().bundle) as unknown as Record<string, unknown>;
    const broken = withValue(withValue(bundle, ['board', 2, 'ballot', 'nonce'], 'short'), ['register', 1, 'keys', 0], 'x');
    const parsed = parseWith(BundleSchema, without(broken, ['outcomeSig']));
    expect(parsed.ok).toBe(false);
    const paths = parsed.ok ? [] : parsed.error.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['board[2].ballot.nonce', 'register[1].keys[0]', 'outcomeSig']));
  });
});
