/**
 * Ballot intake end to end over HTTP: many distinct members, pre-signed
 * ballots, full checks, group-committed synchronous=FULL writes and signed
 * receipts, in a named round (protocol 1, signed in, the device key) and in
 * a secret round (protocol 2, no sign-in, a round key and its credential).
 * Baselines in the same run: a trivial Express JSON POST with the same bodies
 * and connections, and raw node:crypto Ed25519 verification. The named round
 * is this intake as it was before secret rounds (issue 15's starting point),
 * so secret ÷ named says what credentials cost.
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { credentialMessage, CREDENTIAL_SALT_LENGTH } from '../../shared/protocol/credential';
import { encodeBase64Url } from '../../shared/protocol/encoding';
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
  readonly secret: LoadResult;
  readonly baseline: LoadResult;
  /** CPU time of each server process (all its threads) per answered request, in µs. */
  readonly serverCpuUs: number;
  readonly secretCpuUs: number;
  readonly trivialCpuUs: number;
}

type Bodies = { body: string; token?: string }[];

interface OpenedRound {
  readonly instance: string;
  readonly round: string;
  readonly definitionHash: string;
}

function ballotsFor(target: OpenedRound, members: readonly BenchMember[]): Bodies {
  return members.map((m, i) => ({ body: signedBallotBody(target, m, { pick: `o${(i % 3) + 1}` }), token: m.token }));
}

/**
 * Secret ballots as a member's device sends them, one per member: a fresh
 * round key, its credential, the ballot signed with the round key, no token.
 * The credentials are made here with the round's issuing key, read from the
 * data folder, rather than by blind issuance over HTTP: what is measured is
 * intake (issuance has its own suite, credentials.ts), and a credential is a
 * plain RSASSA-PSS signature however it was obtained.
 */
function secretBallotsFor(target: OpenedRound, issuer: KeyObject, count: number): Bodies {
  const bodies: Bodies = [];
  for (let i = 0; i < count; i += 1) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const key = encodeBase64Url(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)));
    const message = credentialMessage(target.round, key);
    if (message === undefined) throw new Error('bench: no credential message');
    const credential = sign('sha384', message, { key: issuer, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: CREDENTIAL_SALT_LENGTH });
    const { ballot } = JSON.parse(signedBallotBody(target, { publicKey: key, id: '', token: '', privateKey }, { pick: `o${(i % 3) + 1}` })) as { ballot: Record<string, unknown> };
    const secretBallot = { ...ballot, credential: encodeBase64Url(new Uint8Array(credential)) };
    const sig = encodeBase64Url(new Uint8Array(sign(null, signedBytes('ballot', secretBallot), privateKey)));
    bodies.push({ body: JSON.stringify({ ballot: secretBallot, sig }) });
  }
  return bodies;
}

/** The open round's issuing key, from the data folder's database (read-only, beside the running server). */
function issuerOf(dataDir: string, round: string): KeyObject {
  const db = new Database(path.join(dataDir, 'stemkring.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT private_key FROM round_issuers WHERE round_id = ?').get(round) as { private_key: string | null } | undefined;
    if (row?.private_key == null) throw new Error(`bench: round ${round} has no issuing key`);
    return createPrivateKey({ key: Buffer.from(row.private_key, 'base64url'), format: 'der', type: 'pkcs8' });
  } finally {
    db.close();
  }
}

async function openRound(server: Child, instance: string, title: string, secret: boolean): Promise<OpenedRound> {
  const login = await json<{ accessToken: string }>(
    await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) }),
  );
  const admin = { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
  const created = await json<{ round: { id: string } }>(
    await fetch(`${server.url}/api/rounds`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ title, method: 'plurality', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }], revote: false, secret }),
    }),
  );
  await fetch(`${server.url}/api/rounds/${created.round.id}/open`, { method: 'POST', headers: admin });
  const view = await json<{ definitionHash: string }>(await fetch(`${server.url}/api/rounds/${created.round.id}`));
  return { instance, round: created.round.id, definitionHash: view.definitionHash };
}

/** Sends the bodies to a fresh round and checks that the board holds exactly the receipted ballots. */
async function intake(server: Child, round: OpenedRound, bodies: Bodies, token: string): Promise<{ load: LoadResult; cpuUs: number }> {
  const cpu = server.cpuSeconds();
  const load = await sendAll(server.url, `/api/rounds/${round.round}/ballots`, bodies, CONNECTIONS);
  const cpuUs = ((server.cpuSeconds() - cpu) * 1e6) / Math.max(1, load.ok);
  const board = await json<{ entries: number }>(await fetch(`${server.url}/api/rounds/${round.round}/board`, { headers: { authorization: `Bearer ${token}` } }));
  if (board.entries !== load.ok) throw new Error(`board has ${board.entries} entries but ${load.ok} receipts were given`);
  return { load, cpuUs };
}

/** One measured run: every member casts one ballot in a fresh named round and in a fresh secret round, then the named bodies go to the trivial server. */
async function measure(server: Child, trivial: Child, dataDir: string, instance: string, members: readonly BenchMember[], title: string): Promise<Run & { bodies: Bodies }> {
  const token = members[0]?.token ?? '';
  const named = await openRound(server, instance, `${title} (named)`, false);
  const bodies = ballotsFor(named, members);
  const secretRound = await openRound(server, instance, `${title} (secret)`, true);
  const secretBodies = secretBallotsFor(secretRound, issuerOf(dataDir, secretRound.round), members.length);
  const ballots = await intake(server, named, bodies, token);
  const secret = await intake(server, secretRound, secretBodies, token);
  const trivialCpu = trivial.cpuSeconds();
  const baseline = await sendAll(trivial.url, '/api/echo', bodies, CONNECTIONS);
  const trivialCpuUs = ((trivial.cpuSeconds() - trivialCpu) * 1e6) / Math.max(1, baseline.ok);
  return { ballots: ballots.load, secret: secret.load, baseline, serverCpuUs: ballots.cpuUs, secretCpuUs: secret.cpuUs, trivialCpuUs, bodies };
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
      await measure(server, trivial, dataDir, instance.id, members.slice(0, 3_000), 'warm-up');
      // This shared machine's speed drifts by a third over minutes. Ballots and the baseline are
      // measured in turns, several times, and the medians compared, so a slow spell cannot fall on one side only.
      for (let run = 1; run <= RUNS; run += 1) {
        process.stderr.write(`ballots: run ${run} of ${RUNS}…\n`);
        const { bodies, ...figures } = await measure(server, trivial, dataDir, instance.id, members, `measured ${run}`);
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
  const secretPerSecond = m((r) => r.secret.perSecond);
  const ratioSecret = m((r) => r.secret.perSecond / r.ballots.perSecond);
  const ratioSecretTrivial = m((r) => r.secret.perSecond / r.baseline.perSecond);
  const each = (f: (r: Run) => number, digits = 0) => runs.map((r) => fmt(f(r), digits)).join(', ');
  process.stdout.write(
    `## Ballot intake\n\n${MEMBERS.toLocaleString('en-US')} distinct members, one pre-signed ballot each, ${CONNECTIONS} connections, server from dist/ ` +
      `(one process: main thread, one crypto worker, the board writer thread), synchronous=FULL. ${RUNS} runs, named ballots, secret ballots and the trivial POST in turns; ` +
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
          ['secret-round ballots accepted per second (round key, credential, no token)', fmt(secretPerSecond), each((r) => r.secret.perSecond)],
          ['secret ballot latency p50 / p99 (ms)', `${fmt(m((r) => r.secret.p50), 1)} / ${fmt(m((r) => r.secret.p99), 1)}`, each((r) => r.secret.p99)],
          ['secret: refused or failed', fmt(m((r) => r.secret.failed)), each((r) => r.secret.failed)],
          ['server CPU per secret ballot, all threads (µs)', fmt(m((r) => r.secretCpuUs)), each((r) => r.secretCpuUs)],
          ['secret ballots / named ballots (issue 15\'s starting point)', `${fmt(ratioSecret, 2)} (target ≥ 0.85: ${ratioSecret >= 0.85 ? 'PASS' : 'FAIL'})`, each((r) => r.secret.perSecond / r.ballots.perSecond, 2)],
          ['secret ballots / trivial POST', `${fmt(ratioSecretTrivial, 2)} (target ≥ 0.55: ${ratioSecretTrivial >= 0.55 ? 'PASS' : 'FAIL'})`, each((r) => r.secret.perSecond / r.baseline.perSecond, 2)],
          ['ballots per second, target ≥ 3,000', perSecond >= 3_000 ? 'PASS' : 'FAIL', ''],
          ['server resident memory after the runs (MB)', fmt(rss), ''],
        ],
      ) +
      '\n',
  );
}

await main();
