import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../server/auth/tokens';

const secret = new Uint8Array(32).fill(1);
const at = new Date('2026-11-23T10:00:00Z');
const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);

describe('access tokens', () => {
  it('accepts its own tokens until they expire, and then says they expired', async () => {
    const tokens = new AccessTokens(secret, 'instance-a', 900);
    const token = await tokens.issue('m1', at);
    await expect(tokens.verify(token, later(899))).resolves.toEqual({ ok: true, value: { memberId: 'm1', expiresMs: later(900).getTime() } });
    await expect(tokens.verify(token, later(900))).resolves.toEqual({ ok: false, error: 'token_expired' });
  });

  it('accepts a token issued by another process of the same instance (verified, not remembered)', async () => {
    const token = await new AccessTokens(secret, 'instance-a', 900).issue('m2', at);
    const fresh = new AccessTokens(secret, 'instance-a', 900);
    await expect(fresh.verify(token, later(10))).resolves.toMatchObject({ ok: true, value: { memberId: 'm2' } });
    await expect(fresh.verify(token, later(11))).resolves.toMatchObject({ ok: true, value: { memberId: 'm2' } });
  });

  it('refuses a token with any change, one from another instance, and one signed with another secret', async () => {
    const tokens = new AccessTokens(secret, 'instance-a', 900);
    const token = await tokens.issue('m3', at);
    const [header, payload, sig] = token.split('.') as [string, string, string];
    const otherSub = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'admin' })).toString('base64url');
    const flipped = `${sig.slice(0, -2)}${sig.at(-2) === 'A' ? 'B' : 'A'}${sig.at(-1) ?? ''}`;
    for (const bad of [`${header}.${otherSub}.${sig}`, `${header}.${payload}.${flipped}`, `${token}x`, 'not-a-token']) {
      await expect(tokens.verify(bad, later(1))).resolves.toEqual({ ok: false, error: 'invalid_token' });
    }
    const foreign = await new AccessTokens(secret, 'instance-b', 900).issue('m3', at);
    await expect(tokens.verify(foreign, later(1))).resolves.toEqual({ ok: false, error: 'invalid_token' });
    const forged = await new AccessTokens(new Uint8Array(32).fill(2), 'instance-a', 900).issue('m3', at);
    await expect(tokens.verify(forged, later(1))).resolves.toEqual({ ok: false, error: 'invalid_token' });
  });
});
