import type { Logger } from 'pino';
import type { CountResult } from '../../shared/counting/index';
import { count } from '../../shared/counting/index';
import type { Choice } from '../../shared/counting/types';
import { contestOf, countContextOf } from '../../shared/protocol/contest';
import type { RoundDefinition } from '../../shared/protocol/types';
import { LiveTallyState, type LiveTally } from '../../shared/tally/live';
import { systemClock, type Clock } from '../clock';
import { runCountInWorker } from '../counting/run-count';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { LIVE_RECOUNT_IN_WORKER_FROM } from '../../node/tuning';
import type { Store } from '../store/store';
import type { CommittedEntry } from '../rounds/board-writer';
import type { RoundListener } from '../rounds/events';
import { PUSH_INTERVAL_MS } from './push-cycles';

/** A round's ranked recounts start at least this far apart: no more often than its tally is pushed. */
export const RECOUNT_GAP_MS = PUSH_INTERVAL_MS;

interface Entry {
  readonly definition: RoundDefinition;
  readonly state: LiveTallyState;
  loaded: Promise<void> | null;
  buffered: CommittedEntry[];
  result: { seq: number; value: CountResult } | null;
  recounting: Promise<void> | null;
  /** When the last recount started (ms since the epoch). */
  recountedAt: number;
  /** Set while a recount that was asked for too soon waits for its turn. */
  deferred: NodeJS.Timeout | null;
}

/**
 * The live tallies of open rounds: built from the board once, then moved by
 * each committed batch. Ranked rounds are recounted in full off the main
 * thread, one recount at a time; callers get the latest finished recount.
 */
export class LiveTallies {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    /** Told when a ranked recount finished or is due, so a fresh tally can be pushed. */
    private readonly onRecounted: (roundId: string) => void = () => undefined,
    /** The server's clock: the gap between recounts is measured on it, so a test that moves it moves the gap too. */
    private readonly clock: Clock = systemClock,
  ) {}

  private entry(roundId: string, definition: RoundDefinition): Entry {
    let e = this.entries.get(roundId);
    if (e === undefined) {
      e = {
        definition,
        state: new LiveTallyState(definition),
        loaded: null,
        buffered: [],
        result: null,
        recounting: null,
        recountedAt: 0,
        deferred: null,
      };
      const entry = e;
      // Entries committed while the board is read arrive as events; they wait in `buffered`.
      entry.loaded = this.store.forEachBoardChoice(roundId, (row) => entry.state.apply(row.seq, row.voter, JSON.parse(row.choice) as Choice)).then(() => {
        for (const c of entry.buffered) entry.state.apply(c.seq, c.voter, c.choice);
        entry.buffered = [];
        entry.loaded = null;
      });
      this.entries.set(roundId, e);
    }
    return e;
  }

  /** What the tallies hear of the rounds: each committed batch moves them, and a round that is no longer open is dropped. */
  readonly listener: RoundListener = {
    committed: (_roundId, e) => this.onCommitted(e.entries),
    status: (roundId, e) => {
      if (e.status !== 'open') this.forget(roundId);
    },
  };

  /** Moves the tallies of rounds someone follows; others are built from the board when first asked for. */
  onCommitted(entries: readonly CommittedEntry[]): void {
    for (const c of entries) {
      const e = this.entries.get(c.roundId);
      if (e === undefined) continue;
      if (e.loaded !== null) e.buffered.push(c);
      else e.state.apply(c.seq, c.voter, c.choice);
    }
  }

  forget(roundId: string): void {
    const e = this.entries.get(roundId);
    if (e !== undefined && e.deferred !== null) clearTimeout(e.deferred);
    this.entries.delete(roundId);
  }

  /** Resolves once the round's tally is built from its board; after that, `current` answers at once. */
  async ready(roundId: string, definition: RoundDefinition): Promise<void> {
    const e = this.entry(roundId, definition);
    if (e.loaded !== null) await e.loaded;
  }

  /**
   * The tally now, read synchronously (call `ready` first) so it matches the
   * committed head read in the same turn. Starts a ranked recount when the
   * latest is behind.
   */
  current(roundId: string, head: string): LiveTally | undefined {
    const e = this.entries.get(roundId);
    if (e === undefined || e.loaded !== null) return undefined;
    this.recountIfBehind(roundId, e, head);
    const snap = e.state.snapshot();
    return e.result === null ? snap : { ...snap, result: e.result.value, resultSeq: e.result.seq };
  }

  /**
   * The tally now. For a ranked round it carries the latest finished recount
   * and starts another when that one is behind (never more than one at a time).
   * With `waitForResult`, a ranked round without any recount yet waits for one.
   */
  async snapshot(roundId: string, definition: RoundDefinition, head: string, waitForResult = false): Promise<LiveTally> {
    const e = this.entry(roundId, definition);
    if (e.loaded !== null) await e.loaded;
    if (e.state.ranked) {
      this.recountIfBehind(roundId, e, head);
      if (e.result === null && waitForResult && e.recounting !== null) await e.recounting;
    }
    const snap = e.state.snapshot();
    return e.result === null ? snap : { ...snap, result: e.result.value, resultSeq: e.result.seq };
  }

  /**
   * Starts a recount of a ranked round whose latest result is behind, unless
   * one is running. One asked for within RECOUNT_GAP_MS of the last start
   * waits out the gap; then the round's followers are told (`onRecounted`),
   * and the push that follows asks again with the head of that moment. A
   * round without any result yet never waits (nor does `snapshot`'s caller).
   */
  private recountIfBehind(roundId: string, e: Entry, head: string): void {
    if (!e.state.ranked || e.result?.seq === e.state.lastSeq || e.recounting !== null || e.deferred !== null) return;
    const wait = e.recountedAt + RECOUNT_GAP_MS - this.clock.now().getTime();
    if (wait > 0 && e.result !== null) {
      e.deferred = setTimeout(() => {
        e.deferred = null;
        if (this.entries.get(roundId) === e) this.onRecounted(roundId);
      }, wait);
      e.deferred.unref();
      return;
    }
    e.recountedAt = this.clock.now().getTime();
    e.recounting = this.recount(roundId, e, head);
  }

  private async recount(roundId: string, e: Entry, head: string): Promise<void> {
    // Yield first: the caller stores this promise in e.recounting, and a small
    // count finishing synchronously would clear that field before it is set.
    await Promise.resolve();
    const seq = e.state.lastSeq;
    const choices = e.state.countingChoices();
    try {
      const contest = contestOf(e.definition);
      const ctx = countContextOf(e.definition, head, nodeCrypto);
      const value = choices.length >= LIVE_RECOUNT_IN_WORKER_FROM ? await runCountInWorker(contest, choices, ctx) : count(contest, choices, ctx);
      e.result = { seq, value };
    } catch (err) {
      this.logger.error({ err, round: roundId }, 'live recount failed');
    } finally {
      e.recounting = null;
    }
    if (this.entries.get(roundId) === e) this.onRecounted(roundId);
  }
}
