/**
 * Ballot intake end to end over HTTP: many distinct members, pre-signed
 * ballots, full checks, group-committed synchronous=FULL writes and signed
 * receipts. Baselines in the same run: a trivial Express JSON POST with the
 * same bodies and connections, and raw node:crypto Ed25519 verification.
 */
import { createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import { signedBytes } from '../../shared/protocol/signing';
import { sendAll } from '../lib/load';
import { BENCH_ADMIN, populate, signedBallotBody } from '../lib/population';
import { ROOT, startChild, startStemkring } from '../lib/processes';
import { fmt, table } from '../lib/stats';

const MEMBERS = Number(process.env['BENCH_MEMBERS'] ?? 20_000);
const CONNECTIONS = 64;

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function main(): Promise<void> {
  if (!fs.existsSync(`${ROOT}/dist/server/main.js`)) throw new Error('run `npm run build` first');
  process.stderr.write(`ballots: ${MEMBERS} members…\n`);
  const { dataDir, instance, members } = await populate(MEMBERS);
  const server = await startStemkring(dataDir);
  try {
    const login = await json<{ accessToken: string }>(
      await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) }),
    );
    const admin = { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
    const openRound = async (title: string) => {
      const created = await json<{ round: { id: string } }>(
        await fetch(`${server.url}/api/rounds`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ title, method: 'plurality', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }], revote: false }),
        }),
      );
      await fetch(`${server.url}/api/rounds/${created.round.id}/open`, { method: 'POST', headers: admin });
      const view = await json<{ definitionHash: string }>(await fetch(`${server.url}/api/rounds/${created.round.id}`));
      return { instance: instance.id, round: created.round.id, definitionHash: view.definitionHash };
    };

    // Warm-up round: the JIT and the page cache, not measured.
    const warm = await openRound('warm-up');
    const warmBodies = members.slice(0, 3_000).map((m, i) => ({ body: signedBallotBody(warm, m, { pick: `o${(i % 3) + 1}` }), token: m.token }));
    await sendAll(server.url, `/api/rounds/${warm.round}/ballots`, warmBodies, CONNECTIONS);

    const round = await openRound('measured');
    const bodies = members.map((m, i) => ({ body: signedBallotBody(round, m, { pick: `o${(i % 3) + 1}` }), token: m.token }));
    const serverCpu = server.cpuSeconds();
    const ballots = await sendAll(server.url, `/api/rounds/${round.round}/ballots`, bodies, CONNECTIONS);
    const serverCpuUs = ((server.cpuSeconds() - serverCpu) * 1e6) / Math.max(1, ballots.ok);
    const board = await json<{ entries: number }>(await fetch(`${server.url}/api/rounds/${round.round}/board`, { headers: { authorization: `Bearer ${members[0]?.token ?? ''}` } }));
    if (board.entries !== ballots.ok) throw new Error(`board has ${board.entries} entries but ${ballots.ok} receipts were given`);
    const rss = server.rssMb();
    await server.stop();

    const trivial = await startChild(['--import', 'tsx', `${ROOT}/bench/lib/trivial-server.ts`], {});
    await sendAll(trivial.url, '/api/echo', warmBodies, CONNECTIONS);
    const trivialCpu = trivial.cpuSeconds();
    const baseline = await sendAll(trivial.url, '/api/echo', bodies, CONNECTIONS);
    const trivialCpuUs = ((trivial.cpuSeconds() - trivialCpu) * 1e6) / Math.max(1, baseline.ok);
    await trivial.stop();

    // Raw verification: the same signatures over the same signed bytes, keys already imported.
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
    const verifyPerSecond = tasks.length / (Number(process.hrtime.bigint() - t0) / 1e9);

    const ratioTrivial = ballots.perSecond / baseline.perSecond;
    const ratioVerify = ballots.perSecond / verifyPerSecond;
    process.stdout.write(
      `## Ballot intake\n\n${MEMBERS.toLocaleString('en-US')} distinct members, one pre-signed ballot each, ${CONNECTIONS} connections, server from dist/ (one process), synchronous=FULL.\n\n` +
        table(
          ['measure', 'value'],
          [
            ['signed ballots accepted per second (with receipts)', fmt(ballots.perSecond)],
            ['ballot latency p50 / p99 (ms)', `${fmt(ballots.p50, 1)} / ${fmt(ballots.p99, 1)}`],
            ['refused or failed', fmt(ballots.failed)],
            ['server CPU per ballot, all threads (µs)', fmt(serverCpuUs)],
            ['load generator CPU per request: ballots / trivial POST (µs)', `${fmt(ballots.clientCpuUsPerRequest)} / ${fmt(baseline.clientCpuUsPerRequest)}`],
            ['trivial Express JSON POST per second (baseline)', fmt(baseline.perSecond)],
            ['trivial server CPU per request (µs)', fmt(trivialCpuUs)],
            ['raw node:crypto Ed25519 verifications per second, one core (baseline)', fmt(verifyPerSecond)],
            ['ballots / trivial POST', `${fmt(ratioTrivial, 2)} (target ≥ 0.55: ${ratioTrivial >= 0.55 ? 'PASS' : 'FAIL'})`],
            ['ballots / raw verify', fmt(ratioVerify, 2)],
            ['ballots per second target ≥ 3,000', ballots.perSecond >= 3_000 ? 'PASS' : 'FAIL'],
            ['server resident memory after the run (MB)', fmt(rss)],
          ],
        ) +
        '\n',
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
