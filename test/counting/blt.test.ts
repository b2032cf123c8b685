import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bltBallots, parseBlt, writeBlt, type BltElection } from '../../shared/blt';
import { ELECTIONS, electionFiles, readText } from './elections';

const ALL = ['glasgow-2007', 'scotland-2022', 'meek', 'irv'].flatMap((folder) => electionFiles(folder));

function errorOf(text: string): { kind: string; line: number; message: string } {
  const parsed = parseBlt(text);
  if (parsed.ok) throw new Error('expected a parse error');
  return parsed.error;
}

/** Ballots as a sorted multiset of "weight:ranking" so grouping and order do not matter. */
function multiset(election: BltElection): Map<string, number> {
  const m = new Map<string, number>();
  for (const b of election.ballots) {
    const key = b.ranking.join(' ');
    m.set(key, (m.get(key) ?? 0) + b.weight);
  }
  return m;
}

describe('parseBlt', () => {
  it('finds the golden elections', () => {
    expect(ELECTIONS.endsWith(`${path.sep}test${path.sep}fixtures${path.sep}elections`)).toBe(true);
    expect(ALL.length).toBe(28);
  });

  it.each(ALL.map((f) => [f.slice(ELECTIONS.length + 1), f]))('reads %s', (_name, file) => {
    const parsed = parseBlt(readText(file));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const e = parsed.value;
    expect(e.candidates.length).toBeGreaterThan(0);
    expect(e.title).not.toBe('');
    for (const b of e.ballots) {
      expect(b.weight).toBeGreaterThan(0);
      for (const c of b.ranking) expect(c >= 1 && c <= e.candidates.length).toBe(true);
    }
  });

  it('reads a small file with withdrawn candidates, blank lines and CRLF', () => {
    const text = '\uFEFF4 2\r\n-2 -4\r\n3 1 2 0\r\n\r\n2 3 0\r\n1 0\r\n0\r\n"Ann" "Bob"\r\n"Cy"\r\n"Di Li"\r\n"Test title"\r\n';
    expect(parseBlt(text)).toEqual({
      ok: true,
      value: {
        title: 'Test title',
        seats: 2,
        candidates: ['Ann', 'Bob', 'Cy', 'Di Li'],
        withdrawn: [2, 4],
        ballots: [
          { weight: 3, ranking: [1, 2] },
          { weight: 2, ranking: [3] },
          { weight: 1, ranking: [] },
        ],
      },
    });
  });

  it('skips free text after the title', () => {
    const parsed = parseBlt('2 1\n1 1 0\n0\n"a"\n"b"\n"title"\n"a note"\nFirst Prefs\n  1 0\n');
    expect(parsed.ok && parsed.value.title).toBe('title');
  });

  it('keeps spaces inside quoted names and allows a missing title', () => {
    const parsed = parseBlt('2 1\n1 1 0\n0\n"Kieran Wild "\n"B"\n');
    expect(parsed.ok && parsed.value.candidates).toEqual(['Kieran Wild ', 'B']);
    expect(parsed.ok && parsed.value.title).toBe('');
  });

  it('reports errors with their line', () => {
    expect(errorOf('')).toMatchObject({ kind: 'empty', line: 1 });
    expect(errorOf('3\n0\n')).toMatchObject({ kind: 'header', line: 1 });
    expect(errorOf('\n\nx 2\n')).toMatchObject({ kind: 'header', line: 3, message: 'line 3: expected "<candidates> <seats>", found "x 2"' });
    expect(errorOf('3 0\n0\n"a" "b" "c"')).toMatchObject({ kind: 'header', line: 1 });
    expect(errorOf('3 1\n-4\n0\n"a" "b" "c"')).toMatchObject({ kind: 'withdrawn', line: 2 });
    expect(errorOf('3 1\n1 2 0\n1 4 0\n0\n"a" "b" "c"')).toMatchObject({
      kind: 'ballot',
      line: 3,
      message: 'line 3: candidate 4 is out of range (1..3)',
    });
    expect(errorOf('3 1\n1 2 2 0\n0\n"a" "b" "c"')).toMatchObject({ kind: 'ballot', line: 2, message: 'line 2: candidate 2 is ranked twice' });
    expect(errorOf('3 1\n1 2 3\n0\n"a" "b" "c"')).toMatchObject({ kind: 'ballot', line: 2, message: 'line 2: a ballot line must end with 0' });
    expect(errorOf('3 1\n0 2 3 0\n0\n"a" "b" "c"')).toMatchObject({ kind: 'ballot', line: 2 });
    expect(errorOf('3 1\n1.5 2 3 0\n0\n"a" "b" "c"')).toMatchObject({ kind: 'ballot', line: 2 });
    expect(errorOf('3 1\n1 2=3 0\n0\n"a" "b" "c"')).toMatchObject({ kind: 'ballot', line: 2 });
    expect(errorOf('3 1\n1 2 0\n"a" "b" "c"')).toMatchObject({ kind: 'unterminated', line: 3 });
    expect(errorOf('3 1\n1 2 0\n')).toMatchObject({ kind: 'unterminated' });
    expect(errorOf('3 1\n1 2 0\n0\n"a" "b"\n')).toMatchObject({ kind: 'names', message: 'line 5: expected 3 candidate names, found 2' });
    expect(errorOf('3 1\n1 2 0\n0\n"a" b "c"\n')).toMatchObject({ kind: 'names', line: 4 });
  });
});

describe('writeBlt', () => {
  const options = [
    { id: 'a', label: 'Ann' },
    { id: 'b', label: 'Bob' },
    { id: 'c', label: 'Cy' },
  ];

  it('groups identical rankings and sorts lines by ranking, not by casting order', () => {
    const written = writeBlt({
      title: 'Board',
      seats: 2,
      options,
      ballots: [{ ranking: ['c'] }, { ranking: ['a', 'b'] }, { ranking: ['c'] }, { ranking: [] }, { ranking: ['a', 'b'], weight: 3 }],
      withdrawn: ['b'],
    });
    expect(written).toEqual({ ok: true, value: '3 2\n-2\n1 0\n4 1 2 0\n2 3 0\n0\n"Ann"\n"Bob"\n"Cy"\n"Board"\n' });
  });

  it('refuses what BLT cannot hold', () => {
    expect(writeBlt({ title: 't', seats: 1, options, ballots: [{ ranking: ['x'] }] })).toMatchObject({ ok: false, error: { kind: 'unknown-option' } });
    expect(writeBlt({ title: 't', seats: 1, options, ballots: [{ ranking: ['a', 'a'] }] })).toMatchObject({
      ok: false,
      error: { kind: 'duplicate-option' },
    });
    expect(writeBlt({ title: 'say "hi"', seats: 1, options, ballots: [] })).toMatchObject({ ok: false, error: { kind: 'bad-name' } });
    expect(writeBlt({ title: 't', seats: 0, options, ballots: [] })).toMatchObject({ ok: false, error: { kind: 'bad-seats' } });
    expect(writeBlt({ title: 't', seats: 1, options, ballots: [{ ranking: ['a'], weight: 0 }] })).toMatchObject({
      ok: false,
      error: { kind: 'bad-weight' },
    });
  });

  it.each(ALL.map((f) => [f.slice(ELECTIONS.length + 1), f]))('round-trips %s', (_name, file) => {
    const parsed = parseBlt(readText(file));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const e = parsed.value;
    const ids = e.candidates.map((_, k) => `c${k + 1}`);
    const written = writeBlt({
      title: e.title,
      seats: e.seats,
      options: e.candidates.map((name, k) => ({ id: ids[k] ?? '', label: name })),
      ballots: bltBallots(e, ids),
    });
    if (!written.ok) throw new Error(written.error.message);
    const again = parseBlt(written.value);
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.candidates).toEqual(e.candidates);
    expect(again.value.title).toBe(e.title);
    expect(again.value.seats).toBe(e.seats);
    expect(multiset(again.value)).toEqual(multiset(e));
  });

  it('round-trips random ballots', () => {
    const names = ['Ann', 'Bob', 'Cy', 'Di', 'Ed'];
    const options = names.map((label, k) => ({ id: `o${k}`, label }));
    const ranking = fc.uniqueArray(fc.constantFrom(...options.map((o) => o.id)), { maxLength: 5 });
    fc.assert(
      fc.property(fc.array(fc.record({ ranking, weight: fc.integer({ min: 1, max: 5 }) }), { maxLength: 30 }), (ballots) => {
        const written = writeBlt({ title: 'random', seats: 2, options, ballots });
        if (!written.ok) return false;
        const parsed = parseBlt(written.value);
        if (!parsed.ok) return false;
        const expected = new Map<string, number>();
        for (const b of ballots) {
          const key = b.ranking.map((id) => Number(id.slice(1)) + 1).join(' ');
          expected.set(key, (expected.get(key) ?? 0) + b.weight);
        }
        expect(multiset(parsed.value)).toEqual(expected);
        return true;
      }),
    );
  });
});
