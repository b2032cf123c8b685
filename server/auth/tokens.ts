import { createHash, createHmac } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Result } from '../../shared/result';
import { err, ok } from '../../shared/result';

/** Short-lived access tokens (JWT, HS256) and the hashing of refresh tokens. */
export class AccessTokens {
  // Imported once as a WebCrypto key: jose then skips importing the raw
  // secret on every call, which took two thirds of each verification.
  private readonly key: Promise<CryptoKey>;

  constructor(
    secret: Uint8Array,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {
    // A key of its own, derived from the instance secret, so no other use of that secret can mint tokens.
    const raw = new Uint8Array(createHmac('sha256', secret).update('stemkring:jwt:v1').digest());
    this.key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  async issue(memberId: string, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(memberId)
      .setIssuer(this.issuer)
      .setAudience('stemkring')
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(await this.key);
  }

  async verify(token: string, now: Date): Promise<Result<{ memberId: string; expiresMs: number }, 'invalid_token' | 'token_expired'>> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        issuer: this.issuer,
        audience: 'stemkring',
        algorithms: ['HS256'],
        currentDate: now,
      });
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || typeof payload.exp !== 'number') return err('invalid_token');
      return ok({ memberId: payload.sub, expiresMs: payload.exp * 1000 });
    } catch (e) {
      if (e instanceof errors.JWTExpired) return err('token_expired');
      return err('invalid_token');
    }
  }
}

/** Refresh tokens are stored only as their SHA-256, so a copy of the database cannot sign anyone in. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
