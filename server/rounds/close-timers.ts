import type { Clock } from '../clock';

/** setTimeout's longest delay; later closes are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * One timer per open round with a closing time. A timer that fires early (a
 * close beyond setTimeout's range, or a clock moved back) arms itself again;
 * one that fires on time calls `close`. Timers are unref'd: a pending close
 * never keeps the process alive, and a close missed while down is made at
 * start.
 */
export class CloseTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly clock: Clock,
    private readonly close: (roundId: string) => void,
  ) {}

  arm(roundId: string, closesAtMs: number | null): void {
    if (closesAtMs === null) return;
    const fire = (): void => {
      this.timers.delete(roundId);
      if (closesAtMs - this.clock.now().getTime() > 0) {
        this.arm(roundId, closesAtMs);
        return;
      }
      this.close(roundId);
    };
    const delay = closesAtMs - this.clock.now().getTime();
    const timer = setTimeout(fire, Math.max(0, Math.min(delay, MAX_TIMER_MS)));
    timer.unref();
    this.timers.set(roundId, timer);
  }

  cancel(roundId: string): void {
    const timer = this.timers.get(roundId);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(roundId);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
