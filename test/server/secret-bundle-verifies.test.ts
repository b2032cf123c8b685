/**
 * A published secret round's bundle is protocol 2 and verifies with the
 * verifier anyone runs (shared/protocol/verify), credentials checked with
 * node:crypto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCredentialCrypto } from '../../node/crypto/blind-rsa';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { verifyBundle } from '../../shared/protocol/verify';
import { ADMIN, startTestApp, type TestApp } from '../helpers/app';
import type { LoginBody } from '../helpers/client';
import { Voter, type RoundInfo } from '../helpers/voter';

let t: TestApp;
let admin: LoginBody;

beforeAll(async () => {
  t = await startTestApp({ loadDemoData: false });
  admin = await t.api.login(ADMIN.email, ADMIN.password);
});
afterAll(async () => {
  await t.stop();
});

describe('a published secret round', () => {
  it('publishes a bundle that verifies', async () => {
    const voters = await Promise.all([1, 2, 3].map((i) => Voter.create(t.api, admin.accessToken, `verified${i}@example.org`)));
    const created = await t.api.post<{ round: { id: string } }>('/api/rounds', { title: 'Te controleren', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] }, admin.accessToken);
    const id = created.body.round.id;
    expect((await t.api.post(`/api/rounds/${id}/open`, undefined, admin.accessToken)).status).toBe(200);
    const info = (await t.api.get<RoundInfo>(`/api/rounds/${id}`)).body;
    for (const [i, v] of voters.entries()) expect((await v.cast(info, { pick: i === 0 ? 'o1' : 'o2' })).status).toBe(201);
    expect((await (voters[0] as Voter).cast(info, { pick: 'o2' })).status).toBe(201);
    expect((await t.api.post(`/api/rounds/${id}/close`, undefined, admin.accessToken)).status).toBe(200);
    expect((await t.api.post(`/api/rounds/${id}/publish`, undefined, admin.accessToken)).status).toBe(200);
    const bundle = await t.api.get<{ protocol: number }>(`/api/rounds/${id}/bundle`);
    expect(bundle.body.protocol).toBe(2);
    const report = verifyBundle(bundle.body, nodeCrypto, { credentials: nodeCredentialCrypto });
    expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
  });
});
