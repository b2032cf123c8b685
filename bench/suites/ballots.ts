/**
 * Ballot intake end to end over HTTP: many distinct members, pre-signed
 * ballots, full checks, group-committed synchronous=FULL writes and signed
 * receipts. Baselines in the same run: a trivial Express JSON POST with the
 * same bodies and connections, and raw node:crypto Ed25519 verification.
 */
import { createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import { signedBytes } from '../../shared/protocol/signing';
import { sendAll, type LoadResult } from '../lib/load';
import { json } from '../lib/common';
import { BENCH_ADMIN, populate, signedBallotBody, type BenchMember } from '../lib/population';
import { ROOT, startChild, startStemkring, type Child } from '../lib/processes';
import { fmt, median, table } from '../lib/stats';

const MEMBERS = Number(process.env['BENCH_MEMBERS'] ?? 20_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const CONNECTIONS = 64;

interface Run {
  readonly ballots: LoadResult;
  readonly baseline: LoadResult;
  /** CPU time of each server process (all its threads) per answered request, in µs. */
  readonly serverCpuUs: number;
  readonly trivialCpuUs: number;
}

type Bodies = { body: string; token: string }[];

function ballotsFor(target: { instance: string; round: string; definitionHash: string }, members: readonly BenchMember[]): Bodies {
  return members.map((m, i) => ({ body: signedBallotBody(target, m, { pick: `o${(i % 3) + 1}` }), token: m.token }));
}

async function openRound(server: Child, instance: string, title: string): Promise<{ instance: string; round: string; definitionHash: string }> {
  const login = await json<{ accessToken: string }>(
    await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) }),
  );
  const admin = { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
  const created = await json<{ round: { id: string } }>(
    await fetch(`${server.url}/api/rounds`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ title, method: 'plurality', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }], revote: false }),
    }),
  );
  await fetch(`${server.url}/api/rounds/${created.round.id}/open`, { method: 'POST', headers: admin });
  const view = await json<{ definitionHash: string }>(await fetch(`${server.url}/api/rounds/${created.round.id}`));
  return { instance, round: created.round.id, definitionHash: view.definitionHash };
}

/** One measured run: every member casts one ballot in a fresh round, then the same bodies go to the trivial server. */
async function measure(server: Child, trivial: Child, instance: string, members: readonly BenchMember[], title: string): Promise<Run & { bodies: Bodies }> {
  const round = await openRound(server, instance, title);
  const bodies = ballotsFor(round, members);
  const serverCpu = server.cpuSeconds();
  const ballots = await sendAll(server.url, `/api/rounds/${round.round}/ballots`, bodies, CONNECTIONS);
  const serverCpuUs = ((server.cpuSeconds() - serverCpu) * 1e6) / Math.max(1, ballots.ok);
  const board = await json<{ entries: number }>(
    await fetch(`${server.url}/api/rounds/${round.round}/board`, { headers: { authorization: `Bearer ${members[0]?.token ?? ''}` } }),
  );
  if (board.entries !== ballots.ok) throw new Error(`board has ${board.entries} entries but ${ballots.ok} receipts were given`);
  const trivialCpu = trivial.cpuSeconds();
  const baseline = await sendAll(trivial.url, '/api/echo', bodies, CONNECTIONS);
  const trivialCpuUs = ((trivial.cpuSeconds() - trivialCpu) * 1e6) / Math.max(1, baseline.ok);
  return { ballots, baseline, serverCpuUs, trivialCpuUs, bodies };
}

/** Raw verification: the same signatures over the same signed bytes, keys already imported. */
function rawVerifyPerSecond(bodies: Bodies, members: readonly BenchMember[]): number {
  const tasks = bodies.slice(0, 20_000).map((b, i) => {
    const { ballot, sig } = JSON.parse(b.body) as { ballot: unknown; sig: string };
    const member = members[i];
    if (member === undefined) throw new Error('member missing');
    return {
      message: signedBytes('ballot', ballot),
      sig: Buffer.from(sig, 'base64url'),
      key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: member.publicKey }, format: 'jwk' }),
    };
  });
  const t0 = process.hrtime.bigint();
  for (const t of tasks) if (!verify(null, t.message, t.key, t.sig)) throw new Error('bad signature in bench data');
  return tasks.length / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function main(): Promise<void> {
  if (!fs.existsSync(`${ROOT}/dist/server/main.js`)) throw new Error('run `npm run build` first');
  process.stderr.write(`ballots: ${MEMBERS} members…\n`);
  const { dataDir, instance, members } = await populate(MEMBERS);
  const runs: Run[] = [];
  let rss = 0;
  let verifyPerSecond = 0;
  try {
    const server = await startStemkring(dataDir);
    const trivial = await startChild(['--import', 'tsx', `${ROOT}/bench/lib/trivial-server.ts`], {});
    try {
      // Warm-up for both (the JIT, the page cache), not counted.
      await measure(server, trivial, instance.id, members.slice(0, 3_000), 'warm-up');
      // This shared machine's speed drifts by a third over minutes. Ballots and the baseline are
      // measured in turns, several times, and the medians compared, so a slow spell cannot fall on one side only.
      for (let run = 1; run <= RUNS; run += 1) {
        process.stderr.write(`ballots: run ${run} of ${RUNS}…\n`);
        const { bodies, ...figures } = await measure(server, trivial, instance.id, members, `measured ${run}`);
        runs.push(figures);
        if (run === RUNS) verifyPerSecond = rawVerifyPerSecond(bodies, members);
      }
      rss = server.rssMb();
    } finally {
      await trivial.stop();
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const m = (f: (r: Run) => number) => median(runs.map(f));
  const perSecond = m((r) => r.ballots.perSecond);
  const ratioTrivial = m((r) => r.ballots.perSecond / r.baseline.perSecond);
  const ratioVerify = perSecond / verifyPerSecond;
  const each = (f: (r: Run) => number, digits = 0) => runs.map((r) => fmt(f(r), digits)).join(', ');
  process.stdout.write(
    `## Ballot intake\n\n${MEMBERS.toLocaleString('en-US')} distinct members, one pre-signed ballot each, ${CONNECTIONS} connections, server from dist/ ` +
      `(one process: main thread, one crypto worker, the board writer thread), synchronous=FULL. ${RUNS} runs, ballots and the trivial POST in turns; ` +
      `medians, with each run's figure after them.\n\n` +
      table(
        ['measure', 'median', 'runs'],
        [
          ['signed ballots accepted per second (with receipts)', fmt(perSecond), each((r) => r.ballots.perSecond)],
          ['ballot latency p50 / p99 (ms)', `${fmt(m((r) => r.ballots.p50), 1)} / ${fmt(m((r) => r.ballots.p99), 1)}`, each((r) => r.ballots.p99)],
          ['refused or failed', fmt(m((r) => r.ballots.failed)), each((r) => r.ballots.failed)],
          ['server CPU per ballot, all threads (µs)', fmt(m((r) => r.serverCpuUs)), each((r) => r.serverCpuUs)],
          ['trivial Express JSON POST per second (baseline)', fmt(m((r) => r.baseline.perSecond)), each((r) => r.baseline.perSecond)],
          ['trivial server CPU per request (µs)', fmt(m((r) => r.trivialCpuUs)), each((r) => r.trivialCpuUs)],
          ['load generator CPU per request: ballots / trivial POST (µs)', `${fmt(m((r) => r.ballots.clientCpuUsPerRequest))} / ${fmt(m((r) => r.baseline.clientCpuUsPerRequest))}`, ''],
          ['raw node:crypto Ed25519 verifications per second, one core (baseline)', fmt(verifyPerSecond), ''],
          ['ballots / trivial POST', `${fmt(ratioTrivial, 2)} (target ≥ 0.55: ${ratioTrivial >= 0.55 ? 'PASS' : 'FAIL'})`, each((r) => r.ballots.perSecond / r.baseline.perSecond, 2)],
          ['ballots / raw verify', fmt(ratioVerify, 2), ''],
          ['ballots per second, target ≥ 3,000', perSecond >= 3_000 ? 'PASS' : 'FAIL', ''],
          ['server resident memory after the runs (MB)', fmt(rss), ''],
        ],
      ) +
      '\n',
  );
}

await main();
