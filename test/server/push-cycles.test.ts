import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PIECE_WAIT_MS, PUSH_INTERVAL_MS, PUSH_WAIT_BUDGET_MS, PushCycles, SHARDS, TICK_MS, sendInPieces, type ShardTarget } from '../../server/live/push-cycles';

interface Sent {
  at: number;
  round: string;
  shard: number;
  /** How many changes of the round the state read for this push had seen. */
  changes: number;
}

/**
 * A target whose rounds change when told, whose shards are watched or not,
 * and whose sends read the state now or after a delay (as a closed round's
 * state is read from the database).
 */
function fakeTarget(readDelayMs: number) {
  const changes = new Map<string, number>();
  const watched = new Set<string>();
  const sent: Sent[] = [];
  const target: ShardTarget = {
    watched: (round, shard) => watched.has(`${round}/${shard}`),
    send: async (round, shard) => {
      if (readDelayMs > 0) await new Promise((r) => setTimeout(r, readDelayMs));
      sent.push({ at: Date.now(), round, shard, changes: changes.get(round) ?? 0 });
    },
  };
  return { target, changes, watched, sent };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('staggered push cycles', () => {
  it('sends each watched shard the state at its own moment, one shard per tick', async () => {
    const { target, changes, watched, sent } = fakeTarget(0);
    for (let shard = 0; shard < SHARDS; shard++) watched.add(`r/${shard}`);
    const cycles = new PushCycles(target, () => undefined);
    changes.set('r', 1);
    cycles.changed('r');
    await vi.advanceTimersByTimeAsync(SHARDS * TICK_MS);
    expect(sent.map((s) => s.shard)).toEqual(Array.from({ length: SHARDS }, (_, i) => i));
    const gaps = sent.slice(1).map((s, i) => s.at - (sent[i] as Sent).at);
    expect(gaps.every((g) => g === TICK_MS)).toBe(true);
    // Nothing moved since: a quiet interval later the cycle has stopped, having sent nothing more.
    await vi.advanceTimersByTimeAsync(SHARDS * TICK_MS);
    expect(sent).toHaveLength(SHARDS);
    expect(cycles.running('r')).toBe(false);
    cycles.stop();
  });

  it('sends nothing to shards nobody watches, and stops', async () => {
    const { target, changes, watched, sent } = fakeTarget(0);
    watched.add('r/3');
    const cycles = new PushCycles(target, () => undefined);
    for (let i = 1; i <= 5; i++) {
      changes.set('r', i);
      cycles.changed('r');
      await vi.advanceTimersByTimeAsync(7);
    }
    await vi.advanceTimersByTimeAsync(3 * SHARDS * TICK_MS);
    expect(sent.map((s) => [s.shard, s.changes])).toEqual([[3, 5]]);
    expect(cycles.running('r')).toBe(false);
    cycles.stop();
  });

  it('reports a failed send and goes on with the other shards', async () => {
    const failures: string[] = [];
    const sent: number[] = [];
    const cycles = new PushCycles(
      {
        watched: () => true,
        send: (_round, shard) => {
          if (shard === 1) return Promise.reject(new Error('gone'));
          sent.push(shard);
          return Promise.resolve();
        },
      },
      (round) => failures.push(round),
    );
    cycles.changed('r');
    await vi.advanceTimersByTimeAsync(2 * SHARDS * TICK_MS);
    expect(failures).toEqual(['r']);
    expect(sent).toEqual([0, 2, 3, 4, 5, 6, 7]);
    cycles.stop();
  });

  it('never sends a shard twice within the interval, and ends every burst with the final state on every watched shard', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            wait: fc.integer({ min: 0, max: 400 }),
            round: fc.constantFrom('a', 'b'),
            toggle: fc.option(fc.integer({ min: 0, max: SHARDS - 1 }), { freq: 4 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.constantFrom(0, 3, 40),
        async (events, readDelayMs) => {
          const { target, changes, watched, sent } = fakeTarget(readDelayMs);
          for (const round of ['a', 'b']) for (let shard = 0; shard < SHARDS; shard += 2) watched.add(`${round}/${shard}`);
          const cycles = new PushCycles(target, () => undefined);
          for (const e of events) {
            await vi.advanceTimersByTimeAsync(e.wait);
            if (e.toggle !== null) {
              const key = `${e.round}/${e.toggle}`;
              if (watched.has(key)) watched.delete(key);
              else watched.add(key);
            }
            changes.set(e.round, (changes.get(e.round) ?? 0) + 1);
            cycles.changed(e.round);
          }
          const end = Date.now();
          // Turns wait while a send reads its state: a read longer than a tick stretches the cycle.
          const cycleMs = SHARDS * TICK_MS * (1 + Math.ceil(readDelayMs / TICK_MS));
          await vi.advanceTimersByTimeAsync(2 * cycleMs);
          cycles.stop();
          // At most four a second to any one watcher.
          const last = new Map<string, number>();
          for (const s of sent) {
            const key = `${s.round}/${s.shard}`;
            const previous = last.get(key);
            if (previous !== undefined) expect(s.at - previous).toBeGreaterThanOrEqual(PUSH_INTERVAL_MS);
            last.set(key, s.at);
          }
          // After the last change, every shard still watched got the final state within a cycle (and the read).
          for (const key of watched) {
            const [round = ''] = key.split('/');
            if (!changes.has(round)) continue;
            const final = sent.filter((s) => `${s.round}/${s.shard}` === key).at(-1);
            expect(final?.changes).toBe(changes.get(round));
            expect((final?.at ?? Infinity) - end).toBeLessThanOrEqual(cycleMs + readDelayMs);
          }
          expect(cycles.running('a') || cycles.running('b')).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('a push written in pieces', () => {
  it('writes every piece once, in order, each after a quiet moment', async () => {
    const pieces = ['a', 'b', 'c'];
    const events: string[] = [];
    const done = sendInPieces(
      pieces,
      async () => {
        events.push('quiet?');
        await new Promise((r) => setTimeout(r, 1));
      },
      (piece) => events.push(piece),
    );
    await vi.runAllTimersAsync();
    await done;
    expect(events).toEqual(['quiet?', 'a', 'quiet?', 'b', 'quiet?', 'c']);
  });

  it('waits PIECE_WAIT_MS at most per piece, and PUSH_WAIT_BUDGET_MS in all, while ballots keep coming', async () => {
    const pieces = 3 * Math.ceil(PUSH_WAIT_BUDGET_MS / PIECE_WAIT_MS);
    const asked: number[] = [];
    const emitted: number[] = [];
    const started = performance.now();
    // Never quiet: every wait runs to its end.
    const done = sendInPieces(
      Array.from({ length: pieces }, (_, i) => i),
      async (maxWaitMs) => {
        asked.push(maxWaitMs);
        await new Promise((r) => setTimeout(r, maxWaitMs));
      },
      () => emitted.push(performance.now() - started),
    );
    await vi.runAllTimersAsync();
    await done;
    expect(emitted).toHaveLength(pieces);
    expect(Math.max(...asked)).toBeLessThanOrEqual(PIECE_WAIT_MS);
    expect(asked.reduce((a, b) => a + b, 0)).toBe(PUSH_WAIT_BUDGET_MS);
    expect(emitted.at(-1)).toBe(PUSH_WAIT_BUDGET_MS);
  });

  it('lets I/O in between pieces: no two pieces in one turn of the event loop', async () => {
    const order: string[] = [];
    const done = sendInPieces(
      [0, 1, 2],
      () => Promise.resolve(),
      (piece) => {
        order.push(`piece ${piece}`);
        setImmediate(() => order.push('other work'));
      },
    );
    await vi.runAllTimersAsync();
    await done;
    expect(order).toEqual(['piece 0', 'other work', 'piece 1', 'other work', 'piece 2', 'other work']);
  });
});
