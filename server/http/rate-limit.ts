import type { RequestHandler } from 'express';
import type { Clock } from '../clock';
import { ApiError } from './errors';

/**
 * Fixed-window counters kept in memory: enough for one process guarding login
 * and registration. Windows are pruned as they expire so memory stays bounded
 * by the number of recently seen keys.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Counts a hit; answers how many seconds to wait when over the limit, else null. */
  hit(key: string): number | null {
    const now = this.clock.now().getTime();
    if (this.windows.size > 10_000) this.prune(now);
    let w = this.windows.get(key);
    if (w === undefined || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    if (w.count <= this.limit) return null;
    return Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}

/** Middleware that refuses with 429 and Retry-After once `keyOf` has been seen too often. */
export function rateLimit(limiter: RateLimiter, keyOf: (req: Parameters<RequestHandler>[0]) => string | null): RequestHandler {
  return (req, res, next) => {
    const key = keyOf(req);
    if (key === null) return next();
    const retryAfter = limiter.hit(key);
    if (retryAfter === null) return next();
    res.setHeader('Retry-After', String(retryAfter));
    next(new ApiError('too_many_requests', `too many attempts; try again in ${retryAfter} seconds`));
  };
}
