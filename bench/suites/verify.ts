/**
 * `stemkring verify` on a real bundle of 100,000 ballots, made by the server
 * itself (in process: seeded members cast signed ballots through the round
 * service, then the round is closed and published). Baseline in the same
 * run: raw node:crypto Ed25519 verification of the same signatures, one core.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import type { Member } from '../../server/members/member';
import { signedBytes } from '../../shared/protocol/signing';
import type { Bundle } from '../../shared/protocol/types';
import { verifyBundle } from '../../shared/protocol/verify';
import { ADMIN, startTestApp } from '../../test/helpers/app';
import { seedMembers, signedBallot } from '../../test/helpers/population';
import { ROOT } from '../lib/processes';
import { fmt, median, table } from '../lib/stats';

const BALLOTS = Number(process.env['BENCH_VERIFY_BALLOTS'] ?? 100_000);
/** Turns of raw and in-process verification. */
const TURNS = 5;

/**
 * Each timed side starts with the garbage of the side before it collected
 * (the previous turn's parsed copy of the bundle is some 150 MB), so neither
 * pays for the other's. Needs --expose-gc, which bench/run.ts gives.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function makeBundle(file: string): Promise<void> {
  const t = await startTestApp({ loadDemoData: false });
  try {
    const admin = await t.api.login(ADMIN.email, ADMIN.password);
    process.stderr.write(`verify: seeding ${fmt(BALLOTS)} members…\n`);
    const members = await seedMembers(t.app.store, t.app.instance, BALLOTS, 'v');
    const created = await t.api.post<{ round: { id: string } }>(
      '/api/rounds',
      { title: 'Verify bench', method: 'approval', options: ['A', 'B', 'C', 'D', 'E'].map((label) => ({ label })), seats: 2 },
      admin.accessToken,
    );
    const id = created.body.round.id;
    await t.api.post(`/api/rounds/${id}/open`, undefined, admin.accessToken);
    const view = await t.api.get<{ definitionHash: string }>(`/api/rounds/${id}`);
    const target = { instance: t.app.instance.id, round: id, definitionHash: view.body.definitionHash };
    process.stderr.write('verify: casting…\n');
    for (let i = 0; i < members.length; i += 1_000) {
      await Promise.all(
        members.slice(i, i + 1_000).map((m, j) => {
          const member: Member = { id: m.id, email: '', name: m.id, role: 'member', status: 'active' };
          const approve = ['o1', 'o2', 'o3', 'o4', 'o5'].filter((_, k) => ((i + j) * 7 + k * 3) % 5 < 2);
          return t.app.rounds.cast(member, id, signedBallot(target, m, { approve }), 500).then((r) => {
            if (!r.ok) throw new Error(`ballot refused: ${r.error.code}`);
          });
        }),
      );
    }
    await t.api.post(`/api/rounds/${id}/close`, undefined, admin.accessToken);
    await t.api.post(`/api/rounds/${id}/publish`, undefined, admin.accessToken);
    const bundle = await fetch(`${t.url}/api/rounds/${id}/bundle`);
    fs.writeFileSync(file, Buffer.from(await bundle.arrayBuffer()));
  } finally {
    await t.stop();
    fs.rmSync(t.dataDir, { recursive: true, force: true });
  }
}

function cli(file: string, workers: number): { seconds: number; ok: boolean } {
  const started = performance.now();
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/stemkring.js'), 'verify', file, '--workers', String(workers)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return { seconds: (performance.now() - started) / 1000, ok: run.status === 0 };
}

async function main(): Promise<void> {
  // BENCH_VERIFY_BUNDLE names a bundle made before (say, by a run of this suite) to measure instead.
  const given = process.env['BENCH_VERIFY_BUNDLE'];
  const file = given ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stemkring-verify-')), 'bundle.json');
  if (given === undefined) await makeBundle(file);
  const text = fs.readFileSync(file, 'utf8');
  const bundle = JSON.parse(text) as Bundle;
  const n = bundle.board.length;

  // Raw baseline: the same signatures over the same signed bytes, keys imported beforehand, one core.
  const tasks = bundle.board.map((e) => ({
    message: signedBytes('ballot', e.ballot),
    sig: Buffer.from(e.sig, 'base64url'),
    key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: e.ballot.key }, format: 'jwk' }),
  }));
  // Measured in turns and compared turn by turn: this shared machine's speed drifts by more over a
  // minute than the difference measured. One turn's ratio moved between 0.76 and 0.93 within a
  // session, so the median is of five.
  const raws: number[] = [];
  const inProcesses: number[] = [];
  for (let round = 0; round < TURNS; round++) {
    collectGarbage();
    let t0 = performance.now();
    for (const t of tasks) if (!verify(null, t.message, t.key, t.sig)) throw new Error('bad signature');
    raws.push((performance.now() - t0) / 1000);
    const parsed: unknown = JSON.parse(text);
    collectGarbage();
    t0 = performance.now();
    const report = verifyBundle(parsed, nodeCrypto);
    inProcesses.push((performance.now() - t0) / 1000);
    if (!report.ok) throw new Error('the verifier rejected the server bundle');
  }
  const raw = median(raws);
  const inProcess = median(inProcesses);
  const inProcessRatio = median(raws.map((r, i) => r / (inProcesses[i] ?? Infinity)));
  const one = cli(file, 0);
  const two = cli(file, os.availableParallelism());
  if (!one.ok || !two.ok) throw new Error('stemkring verify failed on the server bundle');
  if (given === undefined) fs.rmSync(path.dirname(file), { recursive: true, force: true });

  const rate = (s: number) => n / s;
  process.stdout.write(
    `## Verifier\n\nA bundle of ${fmt(n)} approval ballots published by the server (${fmt(text.length / 1e6, 1)} MB). Raw and in-process verification measured in turns, ${TURNS} times: medians, and the median of the ${TURNS} ratios.\n\n` +
      table(
        ['measure', 'ballots/s', 'vs raw verify'],
        [
          ['raw node:crypto Ed25519 verify, keys ready, one core (baseline)', fmt(rate(raw)), '1.00'],
          ['verifyBundle in process, every check and the recount, one core', fmt(rate(inProcess)), `${fmt(inProcessRatio, 2)} (target ≥ 0.8: ${inProcessRatio >= 0.8 ? 'PASS' : 'FAIL'}; runs ${raws.map((r, i) => fmt(r / (inProcesses[i] ?? Infinity), 2)).join(', ')})`],
          ['`stemkring verify` command, one core, whole run (start, read, parse, check, recount)', fmt(rate(one.seconds)), fmt(raw / one.seconds, 2)],
          [`\`stemkring verify --workers ${os.availableParallelism()}\`, whole run`, fmt(rate(two.seconds)), fmt(raw / two.seconds, 2)],
        ],
      ) +
      '\n',
  );
}

await main();
