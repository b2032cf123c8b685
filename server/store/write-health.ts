/**
 * Whether the store can write, for `/api/health` and for the answers and log
 * lines of writes that fail. A full disk or a read-only database makes every
 * write fail the same way: each such request answers 503 `store_unavailable`,
 * and the cause is reported once per interval with a count, not once per
 * request with a stack trace.
 */

/** What keeps the database from being written, from the database's error (each dialect maps its own codes). */
export type StoreProblem = 'disk_full' | 'read_only' | 'io_error' | 'busy' | 'corrupt';

export interface WriteFailure {
  readonly problem: StoreProblem;
  /** The database's own error code, as it gave it (for whoever looks into the failure). */
  readonly code: string;
  readonly message: string;
  readonly at: string;
}

/** What the reporter is told: a failure to log (with the repeats it stood for), or that writes work again. */
export type WriteHealthEvent =
  | { readonly kind: 'failing'; readonly failure: WriteFailure; readonly repeats: number }
  | { readonly kind: 'recovered'; readonly failures: number; readonly since: string };

export type WriteHealthReporter = (event: WriteHealthEvent) => void;

export type WriteStatus = { readonly ok: true; readonly lastFailure?: WriteFailure } | { readonly ok: false; readonly failure: WriteFailure };

/** One report per cause in this time; the rest are counted into the next. */
const REPORT_EVERY_MS = 60_000;
/** A health check reuses a probe this recent: a flood of checks must not become a flood of fsyncs. */
const PROBE_REUSE_MS = 1_000;

/**
 * The store failure an error stands for (its problem and the database's code),
 * or undefined for any other error (a constraint violation or a bug: those
 * stay 500s with their stack). Each dialect knows its own codes.
 */
export type ProblemOf = (error: unknown) => { readonly problem: StoreProblem; readonly code: string } | undefined;

export class WriteHealth {
  private last: WriteFailure | undefined;
  /** Failures since writes last worked; 0 while they work. */
  private failing = 0;
  private failingSince = '';
  /** Per code: when it was last reported, and how many came since. */
  private readonly reported = new Map<string, { at: number; unreported: number }>();
  private probing: Promise<WriteStatus> | undefined;
  private probed: { at: number; status: WriteStatus } | undefined;

  constructor(
    private readonly report: WriteHealthReporter,
    /** One small committed write; throws as a real write would. */
    private readonly write: () => Promise<void>,
    private readonly problemOf: ProblemOf,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The store failure an error stands for, without taking note of it (see ProblemOf). */
  failureOf(error: unknown): WriteFailure | undefined {
    const found = this.problemOf(error);
    if (found === undefined || !(error instanceof Error)) return undefined;
    return { problem: found.problem, code: found.code, message: error.message, at: this.now().toISOString() };
  }

  /** The last write failure seen, if any (kept after writes work again, for the health answer). */
  get lastFailure(): WriteFailure | undefined {
    return this.last;
  }

  /**
   * Takes note of an error of a write. Answers the store failure it stands
   * for (then the caller answers 503 and logs nothing itself), or undefined.
   */
  note(error: unknown): WriteFailure | undefined {
    const failure = this.failureOf(error);
    if (failure === undefined) return undefined;
    this.last = failure;
    // A probe that went through before this failure no longer says how things are.
    this.probed = undefined;
    if (this.failing === 0) this.failingSince = failure.at;
    this.failing += 1;
    const t = this.now().getTime();
    const seen = this.reported.get(failure.code);
    if (seen !== undefined && t - seen.at < REPORT_EVERY_MS) {
      seen.unreported += 1;
      return failure;
    }
    this.reported.set(failure.code, { at: t, unreported: 0 });
    this.report({ kind: 'failing', failure, repeats: seen?.unreported ?? 0 });
    return failure;
  }

  /** A write went through: if writes were failing, that is over (and said once). */
  noteSuccess(): void {
    if (this.failing === 0) return;
    this.probed = undefined;
    this.report({ kind: 'recovered', failures: this.failing, since: this.failingSince });
    this.failing = 0;
    this.reported.clear();
  }

  /** Whether a write goes through now: one real write, shared by the checks of the same second. */
  probe(): Promise<WriteStatus> {
    const t = this.now().getTime();
    if (this.probed !== undefined && t - this.probed.at < PROBE_REUSE_MS) return Promise.resolve(this.probed.status);
    this.probing ??= this.runProbe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async runProbe(): Promise<WriteStatus> {
    let status: WriteStatus;
    try {
      await this.write();
      this.noteSuccess();
      status = this.last === undefined ? { ok: true } : { ok: true, lastFailure: this.last };
    } catch (error) {
      const failure = this.note(error);
      if (failure === undefined) throw error;
      status = { ok: false, failure };
    }
    this.probed = { at: this.now().getTime(), status };
    return status;
  }
}
