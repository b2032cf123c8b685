import { describe, expect, it } from 'vitest';
import { count } from '../../shared/counting/index';
import type { Contest, RankingChoice } from '../../shared/counting/types';
import { runCountInWorker } from '../../server/counting/run-count';

/** A small deterministic generator, so the test ballots are the same every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rankings(ids: readonly string[], n: number, seed: number): RankingChoice[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const order = [...ids];
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as string, order[i] as string];
    }
    return { ranking: order.slice(0, 1 + Math.floor(random() * order.length)) };
  });
}

describe('runCountInWorker', () => {
  it('returns what count() returns in the same thread', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    const contest: Contest = { method: 'schulze', options: ids.map((id) => ({ id, label: id })), seats: 2, rules: {} };
    const ballots = rankings(ids, 500, 1);
    const ctx = { lotOrder: ['d', 'c', 'b', 'a'] };
    await expect(runCountInWorker(contest, ballots, ctx)).resolves.toEqual(count(contest, ballots, ctx));
  });

  it('reports a count that throws as a rejection', async () => {
    const contest: Contest = { method: 'plurality', options: [{ id: 'a', label: 'a' }], seats: 1, rules: {} };
    await expect(runCountInWorker(contest, [{ pick: 'zzz' }], { lotOrder: ['a'] })).rejects.toThrow(/unknown option "zzz"/);
  });

  it('keeps the event loop ticking while a large Schulze count runs', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `o${i}`);
    const contest: Contest = { method: 'schulze', options: ids.map((id) => ({ id, label: id })), seats: 3, rules: {} };
    const ballots = rankings(ids, 60_000, 2);
    const ctx = { lotOrder: ids };

    let ticks = 0;
    let last = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks += 1;
    }, 5);
    const started = performance.now();
    const result = await runCountInWorker(contest, ballots, ctx);
    const elapsed = performance.now() - started;
    clearInterval(timer);

    expect(result).toMatchObject({ method: 'schulze', ballots: 60_000 });
    // Had the count run on this thread, one gap would span most of the wait.
    // Relative, not absolute, so a busy machine does not fail the test.
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(longestGap).toBeLessThan(elapsed / 3);
  });
});
