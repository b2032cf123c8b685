import { describe, expect, it } from 'vitest';
import { Turns } from '../../server/http/turns';

/** Readers that each do `pages` pieces of work, waiting their turn before each; the log records who worked when. */
async function readers(turns: { next(): Promise<void> }, count: number, pages: number, log: string[]): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, r) => {
      for (let p = 0; p < pages; p++) {
        await turns.next();
        log.push(`r${r}`);
      }
    }),
  );
}

describe('Turns: long reads take turns with everything else', () => {
  it('lets the event loop poll between any two pieces of work, however many readers wait', async () => {
    const log: string[] = [];
    const done = readers(new Turns(), 100, 2, log);
    // Something else that wants the main thread now, like a request that just arrived.
    await new Promise<void>((resolve) => setImmediate(resolve));
    log.push('other');
    await done;
    // It waited for one piece at most, not for a piece of each of the 100 readers.
    expect(log.indexOf('other')).toBeLessThanOrEqual(1);
    expect(log).toHaveLength(201);
  });

  it('serves readers in turn, first come first served', async () => {
    const log: string[] = [];
    await readers(new Turns(), 3, 3, log);
    expect(log).toEqual(['r0', 'r1', 'r2', 'r0', 'r1', 'r2', 'r0', 'r1', 'r2']);
  });

  it('is what a setImmediate per reader is not (the check this guards)', async () => {
    const log: string[] = [];
    const naive = { next: () => new Promise<void>((resolve) => setImmediate(resolve)) };
    const done = readers(naive, 100, 2, log);
    await new Promise<void>((resolve) => setImmediate(resolve));
    log.push('other');
    await done;
    expect(log.indexOf('other')).toBeGreaterThanOrEqual(100);
  });
});
