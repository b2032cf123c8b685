import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject, type webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Result } from '../../shared/result';
import { err, ok } from '../../shared/result';

/**
 * What a valid access token says: whose it is, which login it belongs to
 * (`sid`, the family id of that login's refresh tokens, so ending the login
 * ends its access tokens too), and when it expires.
 */
export interface TokenClaims {
  readonly memberId: string;
  readonly sessionId: string;
  readonly expiresMs: number;
}

/**
 * Tokens known to be good: the ones this server issued, and the ones it has
 * verified, so a member's requests after the first (or after signing in) do
 * not verify the same JWT again; the expiry is still checked on every use.
 * Bounded: cleared when full (tokens are then simply verified again).
 */
class KnownTokens {
  private readonly known = new Map<string, TokenClaims>();
  constructor(private readonly max = 50_000) {}
  get(token: string, nowMs: number): TokenClaims | undefined {
    const hit = this.known.get(token);
    if (hit === undefined) return undefined;
    if (hit.expiresMs <= nowMs) {
      this.known.delete(token);
      return undefined;
    }
    return hit;
  }
  set(token: string, claims: TokenClaims): void {
    if (this.known.size >= this.max) this.known.clear();
    this.known.set(token, claims);
  }
}

/** The protected header of every token this server issues, as jose encodes it. */
const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
const HEADER_SEGMENT = Buffer.from(JSON.stringify(HEADER)).toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** As jose reads a claims set: invalid UTF-8 is an error, not replaced. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

type Verdict = Result<TokenClaims, 'invalid_token' | 'token_expired'>;

/** Short-lived access tokens (JWT, HS256) and the hashing of refresh tokens. */
export class AccessTokens {
  private readonly known = new KnownTokens();
  // Imported once as a WebCrypto key: jose then skips importing the raw
  // secret on every call, which took two thirds of each verification.
  private readonly key: Promise<webcrypto.CryptoKey>;
  private readonly hmacKey: KeyObject;

  constructor(
    secret: Uint8Array,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {
    // A key of its own, derived from the instance secret, so no other use of that secret can mint tokens.
    const raw = new Uint8Array(createHmac('sha256', secret).update('stemkring:jwt:v1').digest());
    this.key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    this.hmacKey = createSecretKey(raw);
  }

  async issue(memberId: string, sessionId: string, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader(HEADER)
      .setSubject(memberId)
      .setIssuer(this.issuer)
      .setAudience('stemkring')
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(await this.key);
    this.known.set(token, { memberId, sessionId, expiresMs: (iat + this.ttlSeconds) * 1000 });
    return token;
  }

  async verify(token: string, now: Date): Promise<Verdict> {
    const known = this.known.get(token, now.getTime());
    if (known !== undefined) return ok(known);
    const verdict = token.startsWith(`${HEADER_SEGMENT}.`) ? this.verifyOwnHeader(token, now) : await this.verifyWithJose(token, now);
    if (verdict.ok) this.known.set(token, verdict.value);
    return verdict;
  }

  /**
   * jose's verification, for any token: the reference the fast path below is
   * tested against, and the path for every token whose header is not exactly
   * the one this server writes.
   */
  async verifyWithJose(token: string, now: Date): Promise<Verdict> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        issuer: this.issuer,
        audience: 'stemkring',
        algorithms: ['HS256'],
        currentDate: now,
      });
      const { sub, exp, sid } = payload;
      if (typeof sub !== 'string' || sub.length === 0 || typeof exp !== 'number') return err('invalid_token');
      if (typeof sid !== 'string' || sid.length === 0) return err('invalid_token');
      return ok({ memberId: sub, sessionId: sid, expiresMs: exp * 1000 });
    } catch (e) {
      if (e instanceof errors.JWTExpired) return err('token_expired');
      return err('invalid_token');
    }
  }

  /**
   * The same checks as `verifyWithJose`, for a token carrying exactly this
   * server's header (so the algorithm is HS256 by construction), with
   * node:crypto's HMAC. jose 6 verifies through WebCrypto, whose promise job
   * costs some 60 µs of main-thread time per token, a fifth of a ballot's;
   * this costs a few. A property test holds both to the same verdicts.
   */
  private verifyOwnHeader(token: string, now: Date): Verdict {
    const parts = token.split('.');
    if (parts.length !== 3) return err('invalid_token');
    const [header, payloadSegment, signature] = parts as [string, string, string];
    if (!BASE64URL.test(payloadSegment) || !BASE64URL.test(signature)) return err('invalid_token');
    const expected = createHmac('sha256', this.hmacKey).update(`${header}.${payloadSegment}`).digest();
    const actual = Buffer.from(signature, 'base64url');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return err('invalid_token');
    let payload: unknown;
    try {
      payload = JSON.parse(UTF8.decode(Buffer.from(payloadSegment, 'base64url')));
    } catch {
      return err('invalid_token');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return err('invalid_token');
    const claims = payload as Record<string, unknown>;
    // jose's order: issuer, audience, then the times (iat, nbf, exp) against the current second.
    if (claims['iss'] !== this.issuer) return err('invalid_token');
    const aud = claims['aud'];
    if (!(aud === 'stemkring' || (Array.isArray(aud) && aud.includes('stemkring')))) return err('invalid_token');
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const { iat, nbf, exp, sub, sid } = claims;
    if (iat !== undefined && typeof iat !== 'number') return err('invalid_token');
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds)) return err('invalid_token');
    if (exp !== undefined && typeof exp !== 'number') return err('invalid_token');
    if (typeof exp === 'number' && exp <= nowSeconds) return err('token_expired');
    if (typeof sub !== 'string' || sub.length === 0 || typeof exp !== 'number') return err('invalid_token');
    // A token without the login it belongs to could not be ended at sign-out.
    if (typeof sid !== 'string' || sid.length === 0) return err('invalid_token');
    return ok({ memberId: sub, sessionId: sid, expiresMs: exp * 1000 });
  }
}

/** Refresh tokens are stored only as their SHA-256, so a copy of the database cannot sign anyone in. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
