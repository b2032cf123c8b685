/**
 * Public reads of a large closed round (issue 13, item 10): anonymous
 * `GET /api/rounds/:id` of a closed, unpublished round must not recount the
 * board each time (50 such reads at once once kept `/api/health` waiting
 * 14 s), and `GET /api/rounds/:id/board` must not build the board in memory
 * (120 concurrent reads of a 16 MB board once took the server to 1.65 GB).
 *
 * One STV round is filled over HTTP with pre-signed ranked ballots (as
 * ballots.ts fills its rounds) and closed. Then:
 *
 * 1. Closed-round reads: turns of 50 concurrent anonymous reads of the round
 *    (in waves: 50 at once, the next 50 when all are answered), in ABBA order
 *    with idle turns, while `/api/health` is asked every few ms throughout.
 *    Baselines in the same run: health on the idle server (the idle turns),
 *    and the CPU the close's one count took.
 * 2. Board reads memory: 120 concurrent anonymous reads of the board, each
 *    read no faster than a set rate, so that the server's writes back up,
 *    while the server's resident memory is sampled every 50 ms (and its peak
 *    taken from the kernel's high-water mark). Baseline: its resident memory
 *    idle just before.
 *
 * The readers run in a process of their own (bench/lib/readers.ts); this one
 * only times health and samples memory.
 */
import fs from 'node:fs';
import http from 'node:http';
import { sendAll } from '../lib/load';
import { json, now, sleep } from '../lib/common';
import { BENCH_ADMIN, populate, signedBallotBody, type BallotTarget, type BenchMember } from '../lib/population';
import { ROOT, startStemkring, type Child } from '../lib/processes';
import { Readers, type WavesResult } from '../lib/readers';
import { fmt, median, mulberry32, pairedMedianRatioInterval, percentile, table, type PairedSamples } from '../lib/stats';

const BALLOTS = Number(process.env['BENCH_READS_BALLOTS'] ?? 30_000);
const OPTIONS = 12;
const SEATS = 3;
/** Anonymous reads of the round at once, as in the review. */
const CONCURRENCY = 50;
/** Waves of CONCURRENCY reads in one reading turn. */
const WAVES_PER_TURN = 20;
/** Pairs of turns (idle, reading) and how long an idle turn is. */
const TURN_PAIRS = 6;
const IDLE_TURN_MS = 1_000;
/** Between one health request's answer and the next request. */
const HEALTH_GAP_MS = 5;
/** Concurrent board readers, as in the review; each stops reading after its first PAUSE_AFTER bytes until all have, and STALL_MS more. */
const BOARD_READERS = 120;
const PAUSE_AFTER = 1_000_000;
const STALL_MS = 3_000;
const BOARD_DEADLINE_MS = 90_000;
const SAMPLE_MS = 50;
/**
 * The memory target: the server's growth over its idle memory under a
 * quarter of a board per reader. Holding each reader's board (as before the
 * fix), or writing it out without waiting for the stopped readers, costs
 * about a board per reader or more; a streamed board costs a page or so per
 * reader, whatever the board's size, plus garbage not yet collected.
 */
const BOARD_TARGET = BOARD_READERS / 4;


async function adminHeaders(url: string): Promise<Record<string, string>> {
  const login = await json<{ accessToken: string }>(
    await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) }),
  );
  return { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
}

async function openRound(url: string, admin: Record<string, string>, instance: string): Promise<BallotTarget> {
  const created = await json<{ round: { id: string } }>(
    await fetch(`${url}/api/rounds`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        title: 'Public reads',
        method: 'stv',
        seats: SEATS,
        options: Array.from({ length: OPTIONS }, (_, i) => ({ label: `Option ${i + 1}` })),
        revote: false,
      }),
    }),
  );
  const opened = await fetch(`${url}/api/rounds/${created.round.id}/open`, { method: 'POST', headers: admin });
  if (!opened.ok) throw new Error(`opening the round: ${opened.status} ${await opened.text()}`);
  const view = await json<{ definitionHash: string }>(await fetch(`${url}/api/rounds/${created.round.id}`));
  return { instance, round: created.round.id, definitionHash: view.definitionHash };
}

/**
 * Seeded rankings: a few popular options, the rest with scattered support;
 * each voter ranks a short list (1 + an exponential with mean 3), drawn by
 * popularity without replacement (as the counting suite's elections).
 */
function rankings(count: number, seed: number): string[][] {
  const random = mulberry32(seed);
  const popularity = Array.from({ length: OPTIONS }, () => 0.3 + random() * 1.2);
  for (const strong of [4, 3.5, 3]) popularity[Math.floor(random() * OPTIONS)] = strong;
  return Array.from({ length: count }, () => {
    const weights = [...popularity];
    const length = Math.min(OPTIONS, 1 + Math.floor(-Math.log(1 - random()) * 3));
    const ranking: string[] = [];
    for (let k = 0; k < length; k++) {
      let r = random() * weights.reduce((a, b) => a + b, 0);
      let pick = weights.findIndex((w) => (r -= w) < 0);
      if (pick < 0) pick = weights.findLastIndex((w) => w > 0);
      ranking.push(`o${pick + 1}`);
      weights[pick] = 0;
    }
    return ranking;
  });
}

// ---------------------------------------------------------------- health and memory

interface Ping {
  sentAt: number;
  ms: number;
}

/**
 * Asks `/api/health` one request at a time (a short gap after each answer)
 * until `work` settles, or the deadline passes; answers the work's result and
 * every answered ping. A ping that fails or is not 200 is thrown: health
 * must keep answering.
 */
async function pingWhile<T>(url: string, work: Promise<T>, deadlineMs = 120_000): Promise<{ value: T; pings: Ping[] }> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let settled = false;
  const done = work.finally(() => (settled = true));
  const pings: Ping[] = [];
  const stopAt = performance.now() + deadlineMs;
  try {
    while (!settled && performance.now() < stopAt) {
      const sentAt = now();
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: base.hostname, port: base.port, path: '/api/health', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      if (status !== 200) throw new Error(`/api/health answered ${status}`);
      pings.push({ sentAt, ms: now() - sentAt });
      await sleep(HEALTH_GAP_MS);
    }
    return { value: await done, pings };
  } finally {
    agent.destroy();
  }
}

/** A field of /proc/<pid>/status in MB (VmRSS, VmHWM), or 0 if the process is gone. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? 0 : Number(m[1]) / 1024;
  } catch {
    return 0;
  }
}

/** Resets the process's peak resident memory (VmHWM) to what it holds now (Linux ≥ 4.0); false where that is refused. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

interface Sample {
  at: number;
  mb: number;
}

/** Samples the process's resident memory every SAMPLE_MS until `work` settles. */
async function sampleWhile<T>(pid: number, work: Promise<T>): Promise<{ value: T; samples: Sample[] }> {
  const sample = () => samples.push({ at: now(), mb: statusMb(pid, 'VmRSS') });
  const samples: Sample[] = [];
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    return { value: await work, samples };
  } finally {
    clearInterval(timer);
    sample();
  }
}

// ---------------------------------------------------------------- the measures

interface ClosedReads {
  /** The close, then one anonymous read, which waits for the count the close started. */
  closeAndCountMs: number;
  closeAndCountCpu: number;
  /** Health while that count was made. */
  healthDuringCount: Ping[];
  idle: Ping[];
  reading: Ping[];
  pairs: PairedSamples[];
  reads: number[];
  failed: number;
  readSeconds: number;
  readCpu: number;
  viewBytes: number;
}

async function closedReads(server: Child, readers: Readers, admin: Record<string, string>, round: string): Promise<ClosedReads> {
  const cpuBefore = server.cpuSeconds();
  const startedAt = performance.now();
  const closing = (async () => {
    const closed = await fetch(`${server.url}/api/rounds/${round}/close`, { method: 'POST', headers: admin });
    if (!closed.ok) throw new Error(`closing the round: ${closed.status} ${await closed.text()}`);
    const first = await fetch(`${server.url}/api/rounds/${round}`);
    const view = await json<{ round: { status: string }; tally?: unknown; turnout: { ballots: number } }>(first);
    if (view.round.status !== 'closed' || view.tally === undefined) throw new Error('the closed round has no tally');
    if (view.turnout.ballots !== BALLOTS) throw new Error(`the closed round counts ${view.turnout.ballots} ballots, not ${BALLOTS}`);
  })();
  const { pings: healthDuringCount } = await pingWhile(server.url, closing);
  const closeAndCountMs = performance.now() - startedAt;
  const closeAndCountCpu = server.cpuSeconds() - cpuBefore;

  const path = `/api/rounds/${round}`;
  // Warm-up, not counted: the JIT, the readers' connections.
  await readers.waves(server.url, path, CONCURRENCY, 5);
  const result: ClosedReads = {
    closeAndCountMs,
    closeAndCountCpu,
    healthDuringCount,
    idle: [],
    reading: [],
    pairs: [],
    reads: [],
    failed: 0,
    readSeconds: 0,
    readCpu: 0,
    viewBytes: 0,
  };
  // ABBA: idle then reading, reading then idle, … so that a drift of the machine's speed falls on both alike.
  for (let pair = 0; pair < TURN_PAIRS; pair++) {
    let idle: Ping[] = [];
    let reading: Ping[] = [];
    const idleTurn = async () => {
      idle = (await pingWhile(server.url, sleep(IDLE_TURN_MS))).pings;
    };
    const readingTurn = async () => {
      const cpu = server.cpuSeconds();
      const { value, pings } = await pingWhile<WavesResult>(server.url, readers.waves(server.url, path, CONCURRENCY, WAVES_PER_TURN));
      result.readCpu += server.cpuSeconds() - cpu;
      result.readSeconds += (value.endedAt - value.startedAt) / 1000;
      result.reads.push(...value.latencies);
      result.failed += value.failed;
      result.viewBytes = value.bytes / Math.max(1, value.latencies.length);
      reading = pings.filter((p) => p.sentAt >= value.startedAt && p.sentAt < value.endedAt);
    };
    if (pair % 2 === 0) {
      await idleTurn();
      await readingTurn();
    } else {
      await readingTurn();
      await idleTurn();
    }
    result.idle.push(...idle);
    result.reading.push(...reading);
    result.pairs.push({ a: idle.map((p) => p.ms), b: reading.map((p) => p.ms) });
  }
  return result;
}

interface BoardReads {
  boardMb: number;
  idleMb: number;
  /** The largest sample while every reader had stopped reading. */
  stalledMb: number;
  sampledPeakMb: number;
  /** The kernel's high-water mark over the reads, or null where it cannot be reset. */
  hwmPeakMb: number | null;
  afterMb: number;
  /** From the first request until every reader had stopped, and from the resumption until the last body was read. */
  toStallSeconds: number;
  restSeconds: number;
  /** Server CPU over the reads, in cores (CPU seconds per second). */
  cores: number;
  /** Health asked while the readers read on after their stop (the server streaming to all of them), as in the closed-round reads. */
  health: Ping[];
  complete: number;
  problems: string[];
}

async function boardReads(server: Child, readers: Readers, round: string): Promise<BoardReads> {
  const path = `/api/rounds/${round}/board`;
  // One plain read first: the board's size, and a check that it holds every ballot.
  const text = await (await fetch(`${server.url}${path}`)).text();
  const board = JSON.parse(text) as { entries: number; board: unknown[] };
  if (board.entries !== BALLOTS || board.board.length !== BALLOTS) throw new Error(`the board holds ${board.board.length} of ${BALLOTS} ballots`);
  const boardBytes = Buffer.byteLength(text);
  const pid = server.child.pid ?? 0;

  // Idle, just before: a second of samples, after a pause for the plain read's garbage to settle.
  await sleep(1_000);
  const { samples: idleSamples } = await sampleWhile(pid, sleep(1_000));
  const idleMb = median(idleSamples.map((x) => x.mb));
  const hwm = resetPeak(pid);
  const cpu = server.cpuSeconds();
  const {
    value: { value, samples },
    pings,
  } = await pingWhile(server.url, sampleWhile(pid, readers.stall(server.url, path, BOARD_READERS, PAUSE_AFTER, STALL_MS, BOARD_DEADLINE_MS)));
  const cores = (server.cpuSeconds() - cpu) / ((value.endedAt - value.startedAt) / 1000);
  const hwmPeakMb = hwm ? statusMb(pid, 'VmHWM') : null;
  await sleep(1_000);
  const stalled = samples.filter((x) => x.at >= value.stalledAt && x.at <= value.resumedAt).map((x) => x.mb);
  const problems = value.readers.filter((r) => r.status !== 200 || r.bytes !== boardBytes || r.error !== null).map((r) => `${r.status} ${r.bytes} B ${r.error ?? ''}`);
  return {
    boardMb: boardBytes / 2 ** 20,
    idleMb,
    stalledMb: stalled.length === 0 ? 0 : Math.max(...stalled),
    sampledPeakMb: Math.max(...samples.map((x) => x.mb)),
    hwmPeakMb,
    afterMb: statusMb(pid, 'VmRSS'),
    toStallSeconds: (value.stalledAt - value.startedAt) / 1000,
    restSeconds: (value.endedAt - value.resumedAt) / 1000,
    cores,
    health: pings.filter((p) => p.sentAt >= value.resumedAt && p.sentAt < value.endedAt),
    complete: value.readers.length - problems.length,
    problems,
  };
}

// ---------------------------------------------------------------- main

let serverExit: string | null = null;
let serverStderr = '';

/** Notes how the server ends and the end of what it writes to stderr, for the error if it ends early. */
function watchExit(server: Child): void {
  server.child.stderr?.on('data', (chunk: Buffer) => (serverStderr = (serverStderr + chunk.toString()).slice(-4_000)));
  server.child.once('exit', (code, signal) => (serverExit = `code ${String(code)}, signal ${String(signal)}`));
}

function stats(xs: readonly number[]): { p50: number; p99: number; max: number } {
  return { p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.length === 0 ? 0 : Math.max(...xs) };
}

async function main(): Promise<void> {
  if (!fs.existsSync(`${ROOT}/dist/server/main.js`)) throw new Error('run `npm run build` first');
  process.stderr.write(`reads: ${fmt(BALLOTS)} members…\n`);
  const { dataDir, instance, members } = await populate(BALLOTS);
  let server: Child | undefined;
  let readers: Readers | undefined;
  try {
    server = await startStemkring(dataDir);
    watchExit(server);
    const admin = await adminHeaders(server.url);
    const target = await openRound(server.url, admin, instance.id);
    process.stderr.write(`reads: signing and casting ${fmt(BALLOTS)} ranked ballots…\n`);
    const ranked = rankings(BALLOTS, 1310);
    const bodies = members.map((m: BenchMember, i) => ({ body: signedBallotBody(target, m, { ranking: ranked[i] }), token: m.token }));
    const cast = await sendAll(server.url, `/api/rounds/${target.round}/ballots`, bodies, 64);
    if (cast.ok !== BALLOTS) throw new Error(`${cast.failed} of ${BALLOTS} ballots were refused or failed`);

    readers = new Readers();
    process.stderr.write('reads: closing, and reading the closed round…\n');
    const closed = await closedReads(server, readers, admin, target.round);
    process.stderr.write(`reads: ${BOARD_READERS} slow readers of the board…\n`);
    const boardFigures = await boardReads(server, readers, target.round);
    await readers.close();
    readers = undefined;
    await server.stop();
    server = undefined;

    // ---- closed-round reads
    const idle = stats(closed.idle.map((p) => p.ms));
    const reading = stats(closed.reading.map((p) => p.ms));
    const during = stats(closed.healthDuringCount.map((p) => p.ms));
    const reads = stats(closed.reads);
    const p50Ratio = reading.p50 / Math.max(idle.p50, 0.001);
    const p99Ratio = reading.p99 / Math.max(idle.p99, 0.001);
    const interval = pairedMedianRatioInterval(closed.pairs);
    const cpuPerRead = closed.readCpu / Math.max(1, closed.reads.length);
    const cpuShare = cpuPerRead / Math.max(closed.closeAndCountCpu, 0.001);
    // Targets. A read that recounted would cost about as much CPU as the count; and health, which the
    // review saw wait 14 s, must wait less than one count takes.
    const cpuVerdict = cpuShare < 0.05 ? 'PASS' : 'FAIL';
    const healthVerdict = reading.p99 < closed.closeAndCountMs ? 'PASS' : 'FAIL';

    // ---- board reads
    const b = boardFigures;
    const boardHealth = stats(b.health.map((p) => p.ms));
    const peak = Math.max(b.sampledPeakMb, b.hwmPeakMb ?? 0);
    const growth = peak - b.idleMb;
    const boards = growth / b.boardMb;
    const memoryVerdict = boards < BOARD_TARGET && b.complete === BOARD_READERS ? 'PASS' : 'FAIL';

    process.stdout.write(
      `## Public reads\n\nOne STV round (${OPTIONS} options, ${SEATS} seats) filled over HTTP with ${fmt(BALLOTS)} pre-signed ranked ballots of seeded ` +
        `rankings, then closed; server from dist/ with the start script's Node flags, the anonymous readers in a process of their own. ` +
        `**Closed-round reads**: ${TURN_PAIRS} pairs of turns in ABBA order, ${WAVES_PER_TURN} waves of ${CONCURRENCY} concurrent anonymous ` +
        `\`GET /api/rounds/:id\` of the closed round (the next wave when all are answered), and ${fmt(IDLE_TURN_MS / 1000, 0)} s idle, ` +
        `while \`/api/health\` is asked one request at a time throughout (${HEALTH_GAP_MS} ms after each answer). Baselines: health in the ` +
        `idle turns, and the close with its one count (the close starts the count; the first read after it waits for it). ` +
        `**Board reads**: ${BOARD_READERS} concurrent anonymous \`GET /api/rounds/:id/board\`, one connection each; each reader reads its ` +
        `first ${fmt(PAUSE_AFTER / 1e6, 0)} MB and stops until all have, and ${fmt(STALL_MS / 1000, 0)} s more (the server's writes to all of them back up, ` +
        `once the kernel's socket buffers, which are not the server's memory, have taken a few MB of each), ` +
        `then reads the rest as fast as it can (health is timed as above while they do), and the server's resident memory is sampled every ` +
        `${SAMPLE_MS} ms${b.hwmPeakMb === null ? '' : ' (and its peak read from the kernel high-water mark, reset just before)'}. Baseline: its resident ` +
        `memory idle just before. The review measured 14 s health waits and 1.65 GB under these loads before the fixes.\n\n` +
        table(
          ['closed-round reads', 'value'],
          [
            ['close and its one count, to the first read answered (ms)', fmt(closed.closeAndCountMs)],
            ['server CPU of the close and its count, all threads (ms)', fmt(closed.closeAndCountCpu * 1000)],
            ['health p50 / max while the count was made (ms)', `${fmt(during.p50, 1)} / ${fmt(during.max, 1)}`],
            ['health p50 / p99, idle (baseline) (ms)', `${fmt(idle.p50, 2)} / ${fmt(idle.p99, 2)}`],
            [`health p50 / p99, ${CONCURRENCY} concurrent reads (ms)`, `${fmt(reading.p50, 2)} / ${fmt(reading.p99, 2)}`],
            ['health p50 / p99 during the reads ÷ idle', `${fmt(p50Ratio, 1)} / ${fmt(p99Ratio, 1)} (p50 ratio, 90% bootstrap interval over the pairs: ${fmt(interval.low, 1)} to ${fmt(interval.high, 1)})`],
            ['health p99 during the reads below one count’s time', `${fmt(reading.p99, 1)} ms < ${fmt(closed.closeAndCountMs)} ms: ${healthVerdict}`],
            ['read latency p50 / p99 / max (ms)', `${fmt(reads.p50, 1)} / ${fmt(reads.p99, 1)} / ${fmt(reads.max, 1)}`],
            ['reads answered per second; failed', `${fmt(closed.reads.length / Math.max(closed.readSeconds, 0.001))}; ${fmt(closed.failed)}`],
            ['size of one read (kB)', fmt(closed.viewBytes / 1024, 1)],
            ['server CPU per read, all threads (ms)', fmt(cpuPerRead * 1000, 2)],
            ['server CPU per read ÷ the close and its count (a read that recounted ≈ 1)', `${fmt(cpuShare * 100, 2)}% (target < 5%: ${cpuVerdict})`],
          ],
        ) +
        '\n\n' +
        table(
          ['board reads', 'value'],
          [
            ['board size (MB)', fmt(b.boardMb, 1)],
            [
              `${BOARD_READERS} readers: until all had stopped; from the resumption to the last body (s)`,
              `${fmt(b.toStallSeconds, 1)}; ${fmt(b.restSeconds, 1)}`,
            ],
            ['complete bodies; server cores used over the reads', `${b.complete} of ${BOARD_READERS}; ${fmt(b.cores, 2)}`],
            [
              'health p50 / p99 / max while the readers read on (ms); p50 / p99 ÷ idle (no target set); health requests answered',
              `${fmt(boardHealth.p50, 1)} / ${fmt(boardHealth.p99, 1)} / ${fmt(boardHealth.max, 1)}; ${fmt(boardHealth.p50 / Math.max(idle.p50, 0.001), 1)} / ${fmt(boardHealth.p99 / Math.max(idle.p99, 0.001), 1)}; ${fmt(b.health.length)}`,
            ],
            ['server resident memory idle, just before (baseline) (MB)', fmt(b.idleMb)],
            ['server resident memory while all readers had stopped, largest sample (MB)', fmt(b.stalledMb)],
            [
              'server resident memory at the peak (MB)',
              `${fmt(peak)} (sampled ${fmt(b.sampledPeakMb)}${b.hwmPeakMb === null ? '' : `, high-water mark ${fmt(b.hwmPeakMb)}`})`,
            ],
            ['peak − idle (MB); per reader (MB)', `${fmt(growth)}; ${fmt(growth / BOARD_READERS, 2)}`],
            [
              '(peak − idle) ÷ board size',
              `${fmt(boards, 2)} (target < ${BOARD_TARGET}, under a quarter of a board per reader, with every body complete: ${memoryVerdict}; a board held per reader ≈ ${BOARD_READERS})`,
            ],
            ['server resident memory a second after (MB)', fmt(b.afterMb)],
          ],
        ) +
        '\n' +
        (b.problems.length === 0 ? '' : `\nIncomplete board reads: ${b.problems.slice(0, 5).join('; ')}${b.problems.length > 5 ? ' …' : ''}\n`),
    );
  } catch (e) {
    // A server that went away is the likelier story than the error the client saw.
    if (serverExit !== null) throw new Error(`the server exited (${serverExit}); its last words: ${serverStderr.slice(-2_000)}`, { cause: e });
    throw e;
  } finally {
    // Only after a failure: the normal path closed both.
    readers?.kill();
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
