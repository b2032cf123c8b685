/**
 * `stemkring cast` against the real server, as a script would run it: the
 * command (bin/stemkring.js) in its own process, the password from the
 * environment, the device file made on first use and read after.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCredentialCrypto } from '../../node/crypto/blind-rsa';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { readRecoveryFile } from '../../shared/protocol/recovery-file';
import { verifyBundle } from '../../shared/protocol/verify';
import { ADMIN, freshDataDir, startTestApp, type TestApp } from '../helpers/app';
import type { LoginBody } from '../helpers/client';
import { stemkring } from '../helpers/stemkring-command';

const work = freshDataDir();
const PASSWORD = 'member-password-1';

let t: TestApp;
let admin: LoginBody;
let member: LoginBody;

beforeAll(async () => {
  t = await startTestApp({ loadDemoData: false });
  admin = await t.api.login(ADMIN.email, ADMIN.password);
  member = await t.api.activeMember(admin.accessToken, 'script@stemkring.test', 'Script');
});
afterAll(async () => {
  await t.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function stemkringCast(args: readonly string[], password: string | null = PASSWORD) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['STEMKRING_PASSWORD'];
  if (password !== null) env['STEMKRING_PASSWORD'] = password;
  return stemkring(['cast', ...args], env);
}

async function openRound(body: Record<string, unknown>): Promise<string> {
  const created = await t.api.post<{ round: { id: string } }>('/api/rounds', { title: 'Per script', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], ...body }, admin.accessToken);
  expect(created.status).toBe(201);
  const opened = await t.api.post(`/api/rounds/${created.body.round.id}/open`, undefined, admin.accessToken);
  expect(opened.status).toBe(200);
  return created.body.round.id;
}

function castArgs(round: string, device: string, choice: unknown): string[] {
  return ['--server', t.url, '--email', 'script@stemkring.test', '--device', device, '--round', round, '--choice', JSON.stringify(choice)];
}

describe('stemkring cast', () => {
  it('votes in a secret round, and again under the same credential, with a device file it makes once', async () => {
    const round = await openRound({});
    const device = path.join(work, 'device.json');
    const first = await stemkringCast(castArgs(round, device, { pick: 'o1' }));
    expect(first.code, first.stderr).toBe(0);
    const receipt1 = JSON.parse(first.stdout) as { receipt: { seq: number; round: string }; receiptSig: string };
    expect(receipt1.receipt).toMatchObject({ seq: 1, round });
    expect(fs.statSync(device).mode & 0o777).toBe(0o600);
    expect(readRecoveryFile(fs.readFileSync(device, 'utf8'), member.member.id).ok).toBe(true);

    const second = await stemkringCast(castArgs(round, device, { pick: 'o2' }));
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as { receipt: { seq: number } }).receipt.seq).toBe(2);

    // Both ballots carry one credential: the latest counts, and the member's one issuance is all that was used.
    const board = (await t.api.get<{ board: { ballot: { credential: string; choice: unknown } }[] }>(`/api/rounds/${round}/board`, admin.accessToken)).body.board;
    expect(board).toHaveLength(2);
    expect(board[0]?.ballot.credential).toBe(board[1]?.ballot.credential);
    await t.api.post(`/api/rounds/${round}/close`, undefined, admin.accessToken);
    await t.api.post(`/api/rounds/${round}/publish`, undefined, admin.accessToken);
    const bundle = (await t.api.get(`/api/rounds/${round}/bundle`)).body;
    const report = verifyBundle(bundle, nodeCrypto, { credentials: nodeCredentialCrypto, receipt: receipt1 });
    expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
    expect((bundle as { outcome: { counted: number; result: { votes: Record<string, number> } } }).outcome).toMatchObject({ counted: 1, result: { votes: { o1: 0, o2: 1 } } });
  });

  it('votes in a named round with the device key, registering it first', async () => {
    const round = await openRound({ secret: false });
    const device = path.join(work, 'device.json');
    const cast = await stemkringCast(castArgs(round, device, { pick: 'o2' }));
    expect(cast.code, cast.stderr).toBe(0);
    const keys = (await t.api.get<{ keys: { publicKey: string }[] }>('/api/me', member.accessToken)).body.keys;
    const file = readRecoveryFile(fs.readFileSync(device, 'utf8'), member.member.id);
    expect(file.ok && keys.some((k) => k.publicKey === file.value.file.publicKey)).toBe(true);
  });

  it('says what is wrong: usage (2), a wrong password or a closed round (1), another member’s device file (1)', async () => {
    const round = await openRound({});
    const device = path.join(work, 'other.json');
    expect((await stemkringCast(['--server', t.url])).code).toBe(2);
    expect((await stemkringCast(castArgs(round, device, 'not json'))).code).toBe(2);
    const noPassword = await stemkringCast(castArgs(round, device, { pick: 'o1' }), null);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('STEMKRING_PASSWORD');
    const wrong = await stemkringCast(castArgs(round, device, { pick: 'o1' }), 'not-the-password');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('invalid_credentials');
    expect(fs.existsSync(device)).toBe(false);

    await t.api.activeMember(admin.accessToken, 'other@stemkring.test', 'Ander');
    fs.writeFileSync(device, fs.readFileSync(path.join(work, 'device.json')));
    const foreign = await stemkringCast(['--server', t.url, '--email', 'other@stemkring.test', '--device', device, '--round', round, '--choice', '{"pick":"o1"}']);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('belongs to another account');

    await t.api.post(`/api/rounds/${round}/close`, undefined, admin.accessToken);
    const closed = await stemkringCast(castArgs(round, path.join(work, 'device.json'), { pick: 'o1' }));
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain('not open');
  });
});
