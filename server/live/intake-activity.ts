/**
 * The ballots this server is taking at this moment. Ballot intake comes
 * first: a tally push goes out in small pieces, and each piece first waits,
 * briefly, for a moment with no ballot in progress (see `sendInPieces`). A
 * ballot passes the main thread several times (its request, its signature's
 * verdict, its commit), and a push written in one go held up each of those
 * passes that came while it ran.
 */
export class IntakeActivity {
  private inProgress = 0;
  private readonly waiting = new Set<() => void>();

  /** A ballot request has come in. */
  begin(): void {
    this.inProgress += 1;
  }

  /** A ballot request has been answered (whatever the answer). */
  end(): void {
    if (this.inProgress === 0) throw new Error('IntakeActivity.end without a begin');
    this.inProgress -= 1;
    if (this.inProgress > 0) return;
    for (const release of [...this.waiting]) release();
  }

  /** Ballot requests not yet answered. */
  get active(): number {
    return this.inProgress;
  }

  /**
   * Resolves once no ballot is in progress: at once if none is, when the last
   * one in progress is answered, or after `maxWaitMs`, whichever comes first.
   * (Ballots that keep coming never hold a push back for longer.)
   */
  quiet(maxWaitMs: number): Promise<void> {
    if (this.inProgress === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        this.waiting.delete(release);
        resolve();
      };
      const timer = setTimeout(release, maxWaitMs);
      this.waiting.add(release);
    });
  }
}
