import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../server/auth/tokens';

const secret = new Uint8Array(32).fill(1);
const at = new Date('2026-11-23T10:00:00Z');
const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);

describe('access tokens', () => {
  it('accepts its own tokens until they expire, and then says they expired', async () => {
    const tokens = new AccessTokens(secret, 'instance-a', 900);
    const token = await tokens.issue('m1', 's1', at);
    await expect(tokens.verify(token, later(899))).resolves.toEqual({ ok: true, value: { memberId: 'm1', sessionId: 's1', expiresMs: later(900).getTime() } });
    await expect(tokens.verify(token, later(900))).resolves.toEqual({ ok: false, error: 'token_expired' });
  });

  it('accepts a token issued by another process of the same instance: verified the first time, known after that', async () => {
    const token = await new AccessTokens(secret, 'instance-a', 900).issue('m2', 's2', at);
    const fresh = new AccessTokens(secret, 'instance-a', 900);
    await expect(fresh.verify(token, later(10))).resolves.toMatchObject({ ok: true, value: { memberId: 'm2', sessionId: 's2' } });
    await expect(fresh.verify(token, later(11))).resolves.toMatchObject({ ok: true, value: { memberId: 'm2', sessionId: 's2' } });
  });

  it('refuses a token with any change, one from another instance, and one signed with another secret', async () => {
    const tokens = new AccessTokens(secret, 'instance-a', 900);
    const token = await tokens.issue('m3', 's3', at);
    const [header, payload, sig] = token.split('.') as [string, string, string];
    const otherSub = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'admin' })).toString('base64url');
    const flipped = `${sig.slice(0, -2)}${sig.at(-2) === 'A' ? 'B' : 'A'}${sig.at(-1) ?? ''}`;
    for (const bad of [`${header}.${otherSub}.${sig}`, `${header}.${payload}.${flipped}`, `${token}x`, 'not-a-token']) {
      await expect(tokens.verify(bad, later(1))).resolves.toEqual({ ok: false, error: 'invalid_token' });
    }
    const foreign = await new AccessTokens(secret, 'instance-b', 900).issue('m3', 's3', at);
    await expect(tokens.verify(foreign, later(1))).resolves.toEqual({ ok: false, error: 'invalid_token' });
    const forged = await new AccessTokens(new Uint8Array(32).fill(2), 'instance-a', 900).issue('m3', 's3', at);
    await expect(tokens.verify(forged, later(1))).resolves.toEqual({ ok: false, error: 'invalid_token' });
  });

  it('refuses a token that names no login (sid), on either path: it could not be ended at sign-out', async () => {
    const t = Math.floor(at.getTime() / 1000);
    for (const sid of [undefined, '', 42]) {
      const token = await new SignJWT({ iss: 'instance-a', aud: 'stemkring', sub: 'm1', exp: t + 60, ...(sid === undefined ? {} : { sid }) })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(derivedKey(secret));
      const tokens = new AccessTokens(secret, 'instance-a', 900);
      await expect(tokens.verify(token, at)).resolves.toEqual({ ok: false, error: 'invalid_token' });
      await expect(tokens.verifyWithJose(token, at)).resolves.toEqual({ ok: false, error: 'invalid_token' });
    }
  });
});

/** The key AccessTokens derives from the instance secret, so the tests can mint tokens with any claims. */
function derivedKey(instanceSecret: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', instanceSecret).update('stemkring:jwt:v1').digest());
}

/** A claim: usually the value a good token has, sometimes anything else a JWT could carry. */
// Good claims mostly: a token must get every claim right to be valid, and with seven claims a run
// must still reach 'ok' often enough (some 9 of 400 runs) that the check below never misses it by chance.
const claim = (good: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 8, arbitrary: good },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('stemkring', 'instance-b', '', 'm1', ['stemkring'], ['other'], [], '1795000000', null, true, 1.5) },
  );
const time = fc.integer({ min: 1_795_000_000, max: 1_795_002_000 });

describe('access tokens: the node:crypto path and jose agree', () => {
  it('on every token: any claims, any time, tampered or not, either header', async () => {
    const key = derivedKey(secret);
    const nowSeconds = Math.floor(at.getTime() / 1000);
    const verdicts = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          iss: claim(fc.constant('instance-a')),
          aud: claim(fc.constantFrom('stemkring', ['x', 'stemkring'])),
          sub: claim(fc.constantFrom('m1', 'admin')),
          sid: claim(fc.constantFrom('s1', 'family-2')),
          iat: claim(time),
          nbf: claim(fc.oneof(fc.constant(undefined), time)),
          exp: claim(time),
        }),
        fc.constantFrom({ alg: 'HS256', typ: 'JWT' }, { alg: 'HS256' }, { typ: 'JWT', alg: 'HS256' }),
        fc.boolean(),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom('A', 'x', '.', '_', '-')), { nil: undefined, freq: 3 }),
        fc.nat(),
        fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -1_500, max: 1_500 })),
        async (claims, header, otherKey, tamper, pick, shift) => {
          // Around the time the claims name, so expiry falls on either side.
          const times = Object.values(claims).filter((v): v is number => typeof v === 'number');
          const now = new Date(((times[pick % Math.max(1, times.length)] ?? nowSeconds) + shift) * 1000);
          const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
          let token = await new SignJWT(payload).setProtectedHeader(header).sign(otherKey ? new Uint8Array(32).fill(9) : key);
          if (tamper !== undefined) {
            const [position, char] = tamper;
            const at = position % token.length;
            token = token.slice(0, at) + char + token.slice(at + 1);
          }
          const tokens = new AccessTokens(secret, 'instance-a', 900);
          const reference = await tokens.verifyWithJose(token, now);
          expect(await tokens.verify(token, now)).toEqual(reference);
          verdicts.add(reference.ok ? 'ok' : reference.error);
        },
      ),
      { numRuns: 400 },
    );
    // The runs reached every verdict, so a path that disagreed on any of them would have been caught.
    expect([...verdicts].sort()).toEqual(['invalid_token', 'ok', 'token_expired']);
  });

  it('on tokens the server issued, checked at every second around their expiry', async () => {
    const issuer = new AccessTokens(secret, 'instance-a', 900);
    const token = await issuer.issue('m9', 's9', at);
    for (const s of [-1, 0, 1, 450, 899, 900, 901, 10_000]) {
      const fresh = new AccessTokens(secret, 'instance-a', 900);
      expect(await fresh.verify(token, later(s))).toEqual(await fresh.verifyWithJose(token, later(s)));
    }
  });

  it('at the edges of nbf and exp, to the second', async () => {
    const t = Math.floor(at.getTime() / 1000);
    const edges = [{ nbf: t }, { nbf: t + 1 }, { exp: t }, { exp: t + 1 }, { nbf: t, exp: t + 1 }, { iat: t + 1 }, { sub: '' }, { sid: '' }];
    for (const edge of edges) {
      const token = await new SignJWT({ iss: 'instance-a', aud: 'stemkring', sub: 'm1', sid: 's1', exp: t + 60, ...edge })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(derivedKey(secret));
      const fresh = new AccessTokens(secret, 'instance-a', 900);
      expect(await fresh.verify(token, at)).toEqual(await fresh.verifyWithJose(token, at));
    }
  });
});
