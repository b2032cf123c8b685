import { createHash, createHmac } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Result } from '../../shared/result';
import { err, ok } from '../../shared/result';

/**
 * Tokens known to be good: the ones this server issued, and the ones it has
 * verified, so a member's requests after the first (or after signing in) do
 * not verify the same JWT again; the expiry is still checked on every use.
 * Bounded: cleared when full (tokens are then simply verified again).
 */
class KnownTokens {
  private readonly known = new Map<string, { memberId: string; expiresMs: number }>();
  constructor(private readonly max = 50_000) {}
  get(token: string, nowMs: number): { memberId: string; expiresMs: number } | undefined {
    const hit = this.known.get(token);
    if (hit === undefined) return undefined;
    if (hit.expiresMs <= nowMs) {
      this.known.delete(token);
      return undefined;
    }
    return hit;
  }
  set(token: string, memberId: string, expiresMs: number): void {
    if (this.known.size >= this.max) this.known.clear();
    this.known.set(token, { memberId, expiresMs });
  }
}

/** Short-lived access tokens (JWT, HS256) and the hashing of refresh tokens. */
export class AccessTokens {
  private readonly known = new KnownTokens();
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
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(memberId)
      .setIssuer(this.issuer)
      .setAudience('stemkring')
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(await this.key);
    this.known.set(token, memberId, (iat + this.ttlSeconds) * 1000);
    return token;
  }

  async verify(token: string, now: Date): Promise<Result<{ memberId: string; expiresMs: number }, 'invalid_token' | 'token_expired'>> {
    const known = this.known.get(token, now.getTime());
    if (known !== undefined) return ok(known);
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        issuer: this.issuer,
        audience: 'stemkring',
        algorithms: ['HS256'],
        currentDate: now,
      });
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || typeof payload.exp !== 'number') return err('invalid_token');
      this.known.set(token, payload.sub, payload.exp * 1000);
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
