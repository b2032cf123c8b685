/**
 * Live rounds under load: 1,000 socket.io clients watch one round whose board
 * already holds 100,000 ballots, while new ballots arrive at 500 a second
 * over HTTP. Measured: latency from a ballot's commit to the push that
 * includes it at the clients, pushes per client per second, ballot latency
 * with and without the watchers, and the server's resident memory. Baseline in
 * the same run: a plain socket.io broadcast to the same 1,000 clients.
 */
import { createHash, sign } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Insertable } from 'kysely';
import type { BoardEntriesTable } from '../../server/store/schema';
import { SqliteStore as Store } from '../../server/store/sqlite/sqlite-store';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { Pseudonyms } from '../../server/rounds/pseudonym';
import { BoardChain, leafBytes } from '../../shared/protocol/board';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { signedBytesOfJcs } from '../../shared/protocol/signing';
import { json, now, sleep } from '../lib/common';
import { BENCH_ADMIN, populate, signedBallotBody, type BallotTarget, type BenchMember } from '../lib/population';
import { ROOT, startChild, startStemkring, type Child } from '../lib/processes';
import { fmt, median, pairedMedianRatioInterval, percentile, table, type PairedSamples } from '../lib/stats';
import { Watchers } from '../lib/watchers';

const WATCHERS = Number(process.env['BENCH_WATCHERS'] ?? 1_000);
const PREFILL_VOTERS = 20_000;
const PREFILL_PER_VOTER = 5; // revote: 100,000 board entries
const RATE = 500;
const PHASE_A_SECONDS = 6;
const PHASE_B_SECONDS = 10;
/** Pairs of turns (sockets idle, sockets watching) and each turn's length. */
const TURN_PAIRS = Number(process.env['BENCH_TURN_PAIRS'] ?? 16);
const TURN_SECONDS = Number(process.env['BENCH_TURN_SECONDS'] ?? 1.5);


async function openRound(url: string, instance: string): Promise<BallotTarget> {
  const login = await json<{ accessToken: string }>(
    await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) }),
  );
  const headers = { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
  const created = await json<{ round: { id: string } }>(
    await fetch(`${url}/api/rounds`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'Live', method: 'plurality', options: ['A', 'B', 'C', 'D', 'E'].map((label) => ({ label })), revote: true }),
    }),
  );
  await fetch(`${url}/api/rounds/${created.round.id}/open`, { method: 'POST', headers });
  const view = await json<{ definitionHash: string }>(await fetch(`${url}/api/rounds/${created.round.id}`));
  return { instance, round: created.round.id, definitionHash: view.definitionHash };
}

/** Writes 100,000 signed, chained board entries straight into the store, as the server would have. */
async function prefill(dataDir: string, secret: Uint8Array, target: BallotTarget, voters: readonly BenchMember[]): Promise<void> {
  const store = await Store.open(path.join(dataDir, 'stemkring.sqlite'));
  const pseudonyms = new Pseudonyms(secret);
  const chain = new BoardChain(new Uint8Array(Buffer.from(target.definitionHash, 'base64url')), nodeCrypto);
  let seq = 0;
  const rows: Insertable<BoardEntriesTable>[] = [];
  const castAt = new Date().toISOString();
  for (let k = 0; k < PREFILL_PER_VOTER; k++) {
    for (const m of voters) {
      seq += 1;
      const nonce = encodeBase64Url(new Uint8Array(createHash('sha256').update(`${seq}`).digest().subarray(0, 16)));
      const ballot = { instance: target.instance, round: target.round, definition: target.definitionHash, key: m.publicKey, choice: { pick: `o${(seq % 5) + 1}` }, nonce, castAt };
      const text = jcs(ballot);
      const message = signedBytesOfJcs('ballot', text);
      const sig = new Uint8Array(sign(null, message, m.privateKey));
      const leaf = leafBytes(message, sig, nodeCrypto);
      const head = chain.append(leaf);
      rows.push({
        round_id: target.round,
        seq,
        voter: pseudonyms.of(target.round, m.id),
        ballot: text,
        sig: encodeBase64Url(sig),
        leaf: encodeBase64Url(leaf),
        head: encodeBase64Url(head),
        nonce,
        received_at: castAt,
      });
    }
  }
  await store.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 1_000) await trx.insertInto('board_entries').values(rows.slice(i, i + 1_000)).execute();
  });
  await store.close();
}

interface Sent {
  seq: number;
  sentAt: number;
  receivedAt: number;
}

/** Kept-alive connections for the paced ballots: node:http costs the load generator far less than fetch. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function post(url: URL, path: string, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends one ballot per member at a steady rate; answers each ballot's timing.
 * The ballots are signed before the clock starts, so the load generator does
 * as little as it can while it times the server.
 */
async function paced(url: string, target: BallotTarget, members: readonly BenchMember[], rate: number): Promise<{ sent: Sent[]; failed: number }> {
  const bodies = members.map((m, i) => signedBallotBody(target, m, { pick: `o${(i % 5) + 1}` }));
  const base = new URL(url);
  const path = `/api/rounds/${target.round}/ballots`;
  const sent: Sent[] = [];
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < members.length; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const m = members[i] as BenchMember;
    const sentAt = now();
    inFlight.push(
      post(base, path, m.token, bodies[i] as string).then(
        (res) => {
          if (res.status !== 201) {
            failed += 1;
            return;
          }
          const r = JSON.parse(res.text) as { receipt: { seq: number } };
          sent.push({ seq: r.receipt.seq, sentAt, receivedAt: now() });
        },
        () => {
          failed += 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { sent, failed };
}

/** The median latency of a set of ballots, in ms. */
function p50Of(sent: readonly Sent[]): number {
  return percentile(sent.map((s) => s.receivedAt - s.sentAt), 50);
}

type Priority = 'idle' | 'normal';

/** CPU used during a set's turns of one kind, in seconds, and how long those turns took. */
interface CpuUse {
  seconds: number;
  server: number;
  watchers: number;
}

/** The turns taken with the watchers' process at one CPU priority. */
interface TurnSet {
  readonly idle: Sent[];
  readonly watching: Sent[];
  readonly pairRatios: number[];
  /** Each pair's ballot latencies: a, sockets idle; b, watching. */
  readonly pairs: PairedSamples[];
  readonly idleCpu: CpuUse;
  readonly watchingCpu: CpuUse;
}

function emptyTurnSet(): TurnSet {
  return { idle: [], watching: [], pairRatios: [], pairs: [], idleCpu: { seconds: 0, server: 0, watchers: 0 }, watchingCpu: { seconds: 0, server: 0, watchers: 0 } };
}

/** Cores used on average: CPU seconds over wall seconds. */
const cores = (used: number, use: CpuUse) => fmt(used / Math.max(use.seconds, 0.001), 2);

/** The table rows of one set of turns. */
function turnRows(set: TurnSet, label: string, judged: boolean): string[][] {
  const idleLat = latencies(set.idle.map((s) => s.receivedAt - s.sentAt));
  const watchingLat = latencies(set.watching.map((s) => s.receivedAt - s.sentAt));
  const slowdown = watchingLat.p50 / Math.max(idleLat.p50, 0.001) - 1;
  const interval = pairedMedianRatioInterval(set.pairs);
  const verdict = judged ? `target < 15%: ${slowdown < 0.15 ? 'PASS' : 'FAIL'}` : 'for comparison';
  return [
    [
      `${label}: ballot latency p50 / p99, sockets idle — watching (${TURN_PAIRS} pairs of ${TURN_SECONDS} s turns) (ms)`,
      `${fmt(idleLat.p50, 2)} / ${fmt(idleLat.p99, 1)} — ${fmt(watchingLat.p50, 2)} / ${fmt(watchingLat.p99, 1)}`,
    ],
    [
      `${label}: intake slowed by the watchers (p50 of all watching turns over p50 of all idle turns; 90% bootstrap interval over the pairs)`,
      `${fmt(slowdown * 100, 0)}% (${fmt((interval.low - 1) * 100, 0)}% to ${fmt((interval.high - 1) * 100, 0)}%; ${verdict})`,
    ],
    [
      `${label}: the same, pair by pair: median, and the middle half of the pairs`,
      `${fmt((median(set.pairRatios) - 1) * 100, 0)}% (${fmt((percentile(set.pairRatios, 25) - 1) * 100, 0)}% to ${fmt((percentile(set.pairRatios, 75) - 1) * 100, 0)}%)`,
    ],
    [
      `${label}: cores used by the server / the watchers, sockets idle — watching`,
      `${cores(set.idleCpu.server, set.idleCpu)} / ${cores(set.idleCpu.watchers, set.idleCpu)} — ${cores(set.watchingCpu.server, set.watchingCpu)} / ${cores(set.watchingCpu.watchers, set.watchingCpu)}`,
    ],
  ];
}

function latencies(values: Float64Array | number[]): { p50: number; p95: number; p99: number } {
  const xs = Array.from(values);
  return { p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99) };
}

async function main(): Promise<void> {
  if (!fs.existsSync(`${ROOT}/dist/server/main.js`)) throw new Error('run `npm run build` first');
  const liveVoters = RATE * (PHASE_A_SECONDS + PHASE_B_SECONDS);
  process.stderr.write(`live: ${PREFILL_VOTERS + liveVoters} members…\n`);
  const { dataDir, instance, members } = await populate(PREFILL_VOTERS + liveVoters);
  const prefillVoters = members.slice(0, PREFILL_VOTERS);
  const phaseA = members.slice(PREFILL_VOTERS, PREFILL_VOTERS + RATE * PHASE_A_SECONDS);
  const phaseB = members.slice(PREFILL_VOTERS + RATE * PHASE_A_SECONDS);
  let server: Child = await startStemkring(dataDir);
  const target = await openRound(server.url, instance.id);
  await server.stop();
  process.stderr.write('live: prefilling 100,000 board entries…\n');
  await prefill(dataDir, instance.secret, target, prefillVoters);
  const restartAt = performance.now();
  server = await startStemkring(dataDir);
  const restartSeconds = (performance.now() - restartAt) / 1000;
  try {
    // Warm-up, then phase A: ballots at 500/s with nobody watching.
    await paced(server.url, target, phaseA.slice(0, 500), RATE);
    const a = await paced(server.url, target, phaseA.slice(500), RATE);

    process.stderr.write(`live: connecting ${WATCHERS} watchers…\n`);
    const token = prefillVoters[0]?.token ?? '';
    const watchers = new Watchers();
    await watchers.connect(server.url, WATCHERS, token, 'round:tally', target.round);
    await sleep(500);
    const bStarted = now();
    const b = await paced(server.url, target, phaseB, RATE);
    await sleep(1_000);
    const bSeconds = (now() - bStarted) / 1000;
    const rss = server.rssMb();
    const finalCommitted = Math.max(...b.sent.map((s) => s.seq));

    // Commit-to-client latency, bounded: the commit happened between a ballot's send and its receipt.
    const sentAtBySeq = new Map(b.sent.map((s) => [s.seq, s]));
    const upper: number[] = [];
    const lower: number[] = [];
    const delivery: number[] = [];
    let pushes = 0;
    let lastComplete = 0;
    const seenByWatcher = await watchers.seen();
    for (const seen of seenByWatcher) {
      const during = seen.filter((p) => p.arrivedAt >= bStarted);
      pushes += during.length;
      let previous = seen.find((p) => p.arrivedAt < bStarted)?.ballots ?? 0;
      for (const p of during) {
        delivery.push(p.arrivedAt - p.pushedAt);
        for (let s = previous + 1; s <= p.ballots; s++) {
          const t = sentAtBySeq.get(s);
          if (t === undefined) continue;
          upper.push(p.arrivedAt - t.sentAt);
          lower.push(Math.max(0, p.arrivedAt - t.receivedAt));
        }
        previous = Math.max(previous, p.ballots);
      }
      if ((seen[seen.length - 1]?.ballots ?? 0) >= finalCommitted) lastComplete += 1;
    }
    // The watchers' cost to intake. This shared machine's speed drifts from one second to the next by
    // more than the effect measured (a turn's p50 moves by half), so the 1,000 sockets take many short
    // turns, watching the round (pushes at full rate) and not watching it (connected, idle), in ABBA
    // order so that a steady drift falls on both alike, with ballots at the same rate throughout
    // (phase A members changing their votes). The two sets of latencies are compared.
    // The watchers stand in for members' devices, but here they run on the server's two cores, where
    // receiving 4,000 pushes a second takes them some 0.12 of a core. So the pairs come in two sets,
    // two pairs of each in turn: with the watchers' process at idle CPU priority (it takes only time the
    // server and the load generator leave, as devices elsewhere would: the cost of serving them, which
    // is what the target judges), and at normal priority (that cost plus their own CPU competing with
    // the server's threads).
    const turnMembers = phaseA.slice(500, 500 + Math.min(RATE * TURN_SECONDS, phaseA.length - 500));
    const sets: Record<Priority, TurnSet> = { idle: emptyTurnSet(), normal: emptyTurnSet() };
    const turn = async (set: TurnSet, on: boolean): Promise<Sent[]> => {
      await watchers.watch(target.round, on);
      const serverCpu = server.cpuSeconds();
      const watchersCpu = await watchers.cpu();
      const started = performance.now();
      const { sent } = await paced(server.url, target, turnMembers, RATE);
      const use = on ? set.watchingCpu : set.idleCpu;
      use.seconds += (performance.now() - started) / 1000;
      use.server += server.cpuSeconds() - serverCpu;
      use.watchers += (await watchers.cpu()) - watchersCpu;
      (on ? set.watching : set.idle).push(...sent);
      return sent;
    };
    for (let pair = 0; pair < 2 * TURN_PAIRS; pair += 1) {
      const priority: Priority = Math.floor(pair / 2) % 2 === 0 ? 'idle' : 'normal';
      watchers.priority(priority);
      const set = sets[priority];
      const watchingFirst = pair % 2 === 1;
      const first = await turn(set, watchingFirst);
      const second = await turn(set, !watchingFirst);
      const [w, i] = watchingFirst ? [first, second] : [second, first];
      set.pairRatios.push(p50Of(w) / Math.max(p50Of(i), 0.001));
      set.pairs.push({ a: i.map((s) => s.receivedAt - s.sentAt), b: w.map((s) => s.receivedAt - s.sentAt) });
    }
    watchers.priority('normal');
    await watchers.close();
    // Phase C: nobody connected any more.
    await sleep(1_000);
    const c = await paced(server.url, target, phaseA.slice(500), RATE);
    await server.stop();

    // Baseline: a plain socket.io broadcast to as many clients.
    const broadcast = await startChild(['--import', 'tsx', `${ROOT}/bench/lib/broadcast-server.ts`], {});
    const baseWatchers = new Watchers();
    await baseWatchers.connect(broadcast.url, WATCHERS, '', 'tick', null);
    await sleep(5_000);
    const baseDelivery = (await baseWatchers.seen()).flatMap((seen) => seen.map((p) => p.arrivedAt - p.pushedAt));
    await baseWatchers.close();
    await broadcast.stop();

    const aLat = latencies(a.sent.map((s) => s.receivedAt - s.sentAt));
    const bLat = latencies(b.sent.map((s) => s.receivedAt - s.sentAt));
    const cLat = latencies(c.sent.map((s) => s.receivedAt - s.sentAt));
    const up = latencies(upper);
    const low = latencies(lower);
    const del = latencies(delivery);
    const base = latencies(baseDelivery);
    process.stdout.write(
      `## Live rounds\n\n${fmt(WATCHERS)} socket.io clients watching one plurality round whose board holds ${fmt(PREFILL_VOTERS * PREFILL_PER_VOTER)} ballots, ` +
        `while ${RATE} ballots a second arrive over HTTP for ${PHASE_B_SECONDS} s; then the sockets take turns watching and not watching while ballots keep coming at that rate; ballots at the same rate with no sockets at all before and after. Server from dist/ with the start script's Node flags; the watchers in one process, the ballot load in another. The watchers stand in for members' devices but share the server's two cores here, so the turns come in two interleaved sets: with the watchers' process at idle CPU priority (Linux SCHED_IDLE: it gets only the time the server and the load generator leave, as devices elsewhere would), which measures what serving the watchers costs intake and is what the target judges, and at normal priority, where their own CPU competes with the server's threads as well.\n\n` +
        table(
          ['measure', 'value'],
          [
            ['restart with a 100,000-entry board (s)', fmt(restartSeconds, 1)],
            ['commit → client p50 / p95 / p99 (ms), upper bound (from send)', `${fmt(up.p50)} / ${fmt(up.p95)} / ${fmt(up.p99)}`],
            ['commit → client p50 / p95 / p99 (ms), lower bound (from receipt)', `${fmt(low.p50)} / ${fmt(low.p95)} / ${fmt(low.p99)}`],
            ['p99 target < 350 ms (upper bound)', up.p99 < 350 ? 'PASS' : 'FAIL'],
            ['push → client p50 / p99 (ms)', `${fmt(del.p50)} / ${fmt(del.p99)}`],
            ['baseline: plain socket.io broadcast → client p50 / p99 (ms)', `${fmt(base.p50)} / ${fmt(base.p99)}`],
            ['pushes per client per second', fmt(pushes / seenByWatcher.length / bSeconds, 2)],
            ['clients whose last push counted every ballot', `${fmt(lastComplete)} of ${fmt(seenByWatcher.length)}`],
            ['ballot latency p50 / p99, no sockets, before (ms)', `${fmt(aLat.p50, 1)} / ${fmt(aLat.p99, 1)}`],
            ['ballot latency p50 / p99, 1,000 watching, 10 s (ms)', `${fmt(bLat.p50, 1)} / ${fmt(bLat.p99, 1)}`],
            ['ballot latency p50 / p99, no sockets, after (ms)', `${fmt(cLat.p50, 1)} / ${fmt(cLat.p99, 1)}`],
            ...turnRows(sets.idle, "watchers' process at idle CPU priority", true),
            ...turnRows(sets.normal, "watchers' process at normal CPU priority", false),
            ['ballots refused or failed', fmt(a.failed + b.failed + c.failed)],
            ['server resident memory with the watchers (MB)', `${fmt(rss)} (target < 200: ${rss < 200 ? 'PASS' : 'FAIL'})`],
          ],
        ) +
        '\n',
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
