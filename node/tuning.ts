/**
 * Every tuning number of the server and the command line in one place: each
 * says why it has this value and which benchmark (bench/suites/*.ts, results
 * in BENCHMARKS.md) set it or shows what it does. Change one here, rerun its
 * suite, and update BENCHMARKS.md.
 *
 * Not here: limits the protocol or the API fixes (ballot and body sizes, the
 * cast-at window, signature lengths), security parameters (scrypt cost, rate
 * limits, token lifetimes) and HTTP timeouts (the server's config.ts and
 * http/timeouts.ts): those are rules, not speed.
 */
import type { ResourceLimits } from 'node:worker_threads';

// ---------------------------------------------------------------------------
// Worker threads

/**
 * Heap limits for the long-lived helper threads (crypto, board writer): they
 * keep almost nothing alive and make little garbage, and every thread's heap
 * is resident memory. A young generation of a few MB (V8 would let it grow to
 * 16 MB × 3) is plenty. Set by the Live rounds suite (bench/suites/live.ts),
 * whose target is a server under 200 MB with 1,000 watchers and a
 * 100,000-ballot board; Ballot intake (bench/suites/ballots.ts) shows it costs
 * no throughput.
 */
export const SMALL_WORKER: ResourceLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

/**
 * Crypto worker threads the server starts by default when it has more than
 * one core (with one, a worker only adds the cost of crossing threads; see
 * defaultCryptoWorkers). One: the main thread parses requests while it
 * verifies signatures; a second would only compete with the main thread for
 * the same cores on the 2-core machines this runs on. Ballot intake
 * (bench/suites/ballots.ts) measures it this way (2 cores, one crypto
 * worker); STEMKRING_CRYPTO_WORKERS overrides it.
 */
export const CRYPTO_WORKERS = 1;

/**
 * Signature tasks per message to a crypto worker in ballot intake. A message
 * costs some 20 µs to send and receive, a verification some 130 µs: chunks
 * of 8 keep the messaging small while no caller waits for more than 8 others.
 * Set by Ballot intake (bench/suites/ballots.ts): throughput and p99 latency.
 */
export const CRYPTO_CHUNK = 8;

/**
 * How long a closing board writer thread may take to commit its last batch
 * and close its connection before it is terminated. A safety bound for
 * shutdown, not a speed: a group commit takes milliseconds (one fsync), so
 * only a hung disk reaches it. No benchmark sets it.
 */
export const BOARD_CLOSE_BUDGET_MS = 5_000;

// ---------------------------------------------------------------------------
// Counting off the main thread

/**
 * A round's closing count runs in a worker thread from this many ballots.
 * Below it a count takes a few milliseconds on the main thread (Counting,
 * bench/suites/counting.ts: 100,000 ranked ballots in 20 to 50 ms), less than
 * starting a worker and copying the ballots to it; above it a Meek or Schulze
 * count with many options would hold requests up. Not swept: Public reads
 * (bench/suites/reads.ts) closes a round of 30,000 ballots (so in a worker)
 * and measures health latency while it is counted; a sweep there would set it.
 */
export const COUNT_IN_WORKER_FROM = 20_000;

/**
 * A live ranked recount runs in a worker thread from this many ballots:
 * lower than the closing count's, because live recounts repeat (up to four
 * a second) while ballots arrive and sockets are written, so each may take
 * less of the main thread. Not swept: Live rounds (bench/suites/live.ts)
 * watches a plurality round, whose tally is incremental, so it never crosses
 * this; a ranked variant of that suite would be the one to set it.
 */
export const LIVE_RECOUNT_IN_WORKER_FROM = 5_000;

/**
 * Ballots cross to a count worker in chunks of this size. Copying a million
 * ballots in one message would itself block the event loop for a while; a
 * chunk takes a few milliseconds, and other work runs between chunks.
 * Not swept by a benchmark; test/counting/worker.test.ts checks the event
 * loop keeps ticking while 60,000 ballots go over, and Public reads
 * (bench/suites/reads.ts) measures health latency during a close's count.
 */
export const COUNT_BALLOT_CHUNK = 5_000;

// ---------------------------------------------------------------------------
// The offline verifier (stemkring verify)

/**
 * Boards larger than this are verified on worker threads (one per core) by
 * default. Below it, starting the threads and packing the batches costs more
 * than the second core saves. The Verifier suite (bench/suites/verify.ts)
 * measures the gain at 100,000 ballots (0.54 → 0.83 of raw verify with
 * `--workers 2`); the threshold itself was not swept.
 */
export const VERIFY_WORKERS_FROM = 20_000;

/**
 * Signature batches in flight per verifier worker: two, so a worker has its
 * next batch waiting while the main thread reads the answer to the last one
 * and packs another. Measured with the Verifier suite (bench/suites/verify.ts)
 * only at this value.
 */
export const VERIFY_BATCHES_PER_WORKER = 2;

// ---------------------------------------------------------------------------
// Long reads

/**
 * Board entries read and sent at a time: some 50 KB, about a millisecond of
 * the main thread, so that many readers of a large board stay within bounded
 * memory and a request arriving meanwhile waits for one page at most. Set by
 * Public reads (bench/suites/reads.ts): 120 readers of a 15 MB board, health
 * latency and memory per reader.
 */
export const BOARD_PAGE = 100;

// ---------------------------------------------------------------------------
// Live pushes (the server's live/push-cycles.ts); all set by Live rounds (bench/suites/live.ts)

/** Pushes to any one watcher are at least this far apart: at most four a second, whatever the ballot rate. */
export const PUSH_INTERVAL_MS = 250;

/**
 * A round's watchers are spread over this many shards, and each shard has its
 * own moment in the push interval: every TICK_MS one shard gets the round's
 * state as it is at that moment. Each watcher still gets at most four pushes
 * a second, each as fresh as when it is sent, while the cost of writing a push
 * to 1,000 sockets (some 20 ms of main thread, and as much again in receivers
 * on the same machine) comes in eight parts spread over the interval. Sent as
 * one block, it held up every ballot that arrived meanwhile by tens of
 * milliseconds. More shards cost more than they save: with 64, every push
 * woke the receivers eight times as often. Within its moment, a shard's push
 * is written a few sockets at a time, each piece giving way to the ballots in
 * progress (see sendInPieces).
 */
export const SHARDS = 8;

/**
 * A shard's watchers are spread over this many pieces, and its push is
 * written one piece at a time: with 1,000 watchers, some 8 sockets or 0.2 ms
 * of main thread (a socket write costs ~25 µs on the bench machine), so a
 * ballot that arrives meanwhile waits at most that long.
 */
export const PIECES = 16;

/** How long a piece waits at most for a moment with no ballot in progress. */
export const PIECE_WAIT_MS = 2;

/**
 * How long all the pieces of one push wait in all. Under a steady stream of
 * ballots nearly every piece would wait its longest, and a shard's push
 * would take longer than its turn; past this, the remaining pieces go out
 * with only a turn of the event loop between them.
 */
export const PUSH_WAIT_BUDGET_MS = 10;
