import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore as Store } from '../../server/store/sqlite/sqlite-store';
import { LiveTallies, RECOUNT_GAP_MS } from '../../server/live/tallies';
import type { RoundDefinition } from '../../shared/protocol/types';
import { DEFAULT_DEFINITION } from '../protocol/bundle-fixture';

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stemkring-tallies-'));
  store = await Store.open(path.join(dir, 'stemkring.sqlite'));
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const definition: RoundDefinition = {
  ...DEFAULT_DEFINITION,
  round: 'r-ranked',
  method: 'schulze',
  seats: 1,
  rules: {},
  options: [
    { id: 'o1', label: 'A' },
    { id: 'o2', label: 'B' },
    { id: 'o3', label: 'C' },
  ],
};
/** A board head as the server has them: base64url of 32 bytes. */
const HEAD = 'A'.repeat(43);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live tallies of a ranked round', () => {
  it('recounts no more often than the push rate while ballots keep coming, and catches up with the last ballot', async () => {
    let nudged = 0;
    const resultSeqs = new Set<number>();
    // Told of a finished or due recount, the live side reads the tally again (and so asks for the next one).
    const tallies: LiveTallies = new LiveTallies(store, pino({ level: 'silent' }), () => {
      nudged += 1;
      look();
    });
    function look() {
      const t = tallies.current(definition.round, HEAD);
      if (t?.resultSeq !== undefined) resultSeqs.add(t.resultSeq);
      return t;
    }
    await tallies.ready(definition.round, definition);
    const started = Date.now();
    let seq = 0;
    // A ballot every 5 ms for 1.2 s, and the tally read after each (as the staggered pushes do).
    while (Date.now() - started < 1_200) {
      seq += 1;
      tallies.onCommitted([{ roundId: definition.round, seq, head: `h${seq}`, voter: `v${seq % 40}`, choice: { ranking: seq % 2 === 0 ? ['o1', 'o2'] : ['o2', 'o3'] } }]);
      look();
      await sleep(5);
    }
    const elapsed = Date.now() - started;
    expect(seq).toBeGreaterThan(60);
    // One recount per gap at most (each one's result is a distinct seq), not one per read.
    expect(resultSeqs.size).toBeGreaterThan(1);
    expect(resultSeqs.size).toBeLessThanOrEqual(Math.ceil(elapsed / RECOUNT_GAP_MS) + 1);
    // With no more ballots, the recount that was asked for too soon still comes, and counts the last one.
    const lastSeq = seq;
    const deadline = Date.now() + 3 * RECOUNT_GAP_MS;
    while (!resultSeqs.has(lastSeq) && Date.now() < deadline) await sleep(10);
    expect(resultSeqs.has(lastSeq)).toBe(true);
    expect(look()?.resultSeq).toBe(lastSeq);
    expect(nudged).toBeGreaterThan(0);
    tallies.forget(definition.round);
  });
});
