import type { RequestHandler } from 'express';
import type { Clock } from '../clock';
import { ApiError } from './errors';

/**
 * Fixed-window counters kept in memory: enough for one process guarding login
 * and registration. Windows are pruned as they expire so memory stays bounded
 * by the number of recently seen keys.
 *
 * Kept by hand rather than rate-limiter-flexible's RateLimiterMemory because
 * these windows follow the app's Clock (tests move it through a window; that
 * library reads the wall clock), and one process needs no more than this.
 * When several processes must share the counts (the multi-process issue),
 * rate-limiter-flexible's Redis limiter is the tool to move to.
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
    let w = this.current(key, now);
    if (w === undefined) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    if (w.count <= this.limit) return null;
    return this.wait(w, now);
  }

  /** Without counting: how many seconds to wait before another hit would be allowed, or null. */
  retryAfter(key: string): number | null {
    const now = this.clock.now().getTime();
    const w = this.current(key, now);
    return w === undefined || w.count < this.limit ? null : this.wait(w, now);
  }

  /** Takes one hit back (an attempt that turned out not to count). */
  undo(key: string): void {
    const w = this.current(key, this.clock.now().getTime());
    if (w !== undefined && w.count > 0) w.count -= 1;
  }

  /** Forgets the key's hits. */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string, now: number): { start: number; count: number } | undefined {
    const w = this.windows.get(key);
    return w === undefined || now - w.start >= this.windowMs ? undefined : w;
  }

  private wait(w: { start: number }, now: number): number {
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

/**
 * Wrong passwords, counted per (address, account) and, with a much higher
 * ceiling, per account across all addresses. A stranger guessing from one
 * address soon waits, while the member signing in from their own address is
 * not held up by it; guessing from many addresses at once still meets the
 * account's ceiling. Only wrong passwords count: each attempt is counted
 * before the password is checked (so a burst of concurrent guesses cannot
 * all pass the check before the first one fails) and taken back when it was
 * not a wrong password; a right one also clears that address's count for
 * the account.
 */
export class LoginThrottle {
  constructor(
    private readonly perAddressAndAccount: RateLimiter,
    private readonly perAccount: RateLimiter,
  ) {}

  /** Counts an attempt; answers how many seconds to wait instead when either limit is reached. */
  attempt(address: string, email: string): number | null {
    const pair = pairKey(address, email);
    const wait = Math.max(this.perAddressAndAccount.retryAfter(pair) ?? 0, this.perAccount.retryAfter(email) ?? 0);
    if (wait > 0) return wait;
    this.perAddressAndAccount.hit(pair);
    this.perAccount.hit(email);
    return null;
  }

  /** The attempt ended otherwise than with a wrong password. */
  settled(address: string, email: string, signedIn: boolean): void {
    const pair = pairKey(address, email);
    if (signedIn) this.perAddressAndAccount.reset(pair);
    else this.perAddressAndAccount.undo(pair);
    this.perAccount.undo(email);
  }
}

function pairKey(address: string, email: string): string {
  // An address holds no newline, so the first one tells where the email starts.
  return `${address}\n${email}`;
}
