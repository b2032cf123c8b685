/**
 * Long reads take turns with everything else on the main thread: one piece of
 * work (a board page) per event-loop turn, across all readers, so a request
 * that arrives meanwhile waits for one page at most, not for a page of every
 * reader. A setImmediate per reader is not enough: 120 readers waiting on
 * setImmediate all run in the same check phase, and a health check waited
 * 0.6 s behind them (bench/suites/reads.ts). Here only one turn is queued at
 * a time, so the loop polls for I/O between any two.
 */
export class Turns {
  private readonly waiting: (() => void)[] = [];
  private queued = false;

  /** Resolves when it is this caller's turn; do one piece of work, then ask again. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.queue();
    });
  }

  private queue(): void {
    if (this.queued || this.waiting.length === 0) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.waiting.shift()?.();
      // Queued from inside the check phase: it runs in the next loop iteration, after the poll.
      this.queue();
    });
  }
}
