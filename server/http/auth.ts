import type { Request, RequestHandler } from 'express';
import type { ActionContext } from '../audit/audit';
import type { AccessTokens } from '../auth/tokens';
import type { Clock } from '../clock';
import type { Store } from '../db/store';
import { isModerator, toMember, type Member } from '../members/member';
import type { MemberRow } from '../db/schema';
import type { Result } from '../../shared/result';
import { err, ok } from '../../shared/result';
import { ApiError } from './errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** The signed-in member, when the request carried a valid access token. */
    member?: Member;
  }
}

/**
 * Reads `Authorization: Bearer …` when present. A bad or expired token is an
 * error even on public routes: the client believes it is signed in and should
 * hear that it is not. The member is read fresh, so a suspension takes effect
 * at once.
 */
export type TokenProblem = 'invalid_token' | 'token_expired' | 'account_suspended' | 'session_ended';

/** Resolves an access token to its member: used by HTTP requests and socket handshakes alike. */
/** Who a valid access token speaks for now, and the login (refresh chain) it belongs to. */
export interface SignedIn {
  readonly member: Member;
  readonly loginId: string;
}

export type MemberResolver = (token: string, now: Date) => Promise<Result<SignedIn, TokenProblem>>;

export function memberResolver(tokens: AccessTokens, store: Store): MemberResolver {
  // One statement per request (ballots pass here): the member as they are now, and whether the token's
  // login has ended. `login_ended` is 0 while the login is live, 1 once revoked (its newest revocation
  // first, one seek on the (family_id, revoked_at) index), and null when the login is unknown here,
  // which ends the token as surely as a revocation.
  const memberAndLogin = store.reader.prepare<[string, string], Pick<MemberRow, 'id' | 'email' | 'name' | 'role' | 'status'> & { login_ended: 0 | 1 | null }>(
    `select id, email, name, role, status,
       (select revoked_at is not null from refresh_tokens where family_id = ? order by revoked_at desc limit 1) as login_ended
     from members where id = ?`,
  );
  return async (token, now) => {
    const verified = await tokens.verify(token, now);
    if (!verified.ok) return err(verified.error);
    // Read fresh each time, so a suspension, a sign-out or a revoked refresh chain takes effect at once.
    const row = memberAndLogin.get(verified.value.sessionId, verified.value.memberId);
    if (row === undefined) return err('invalid_token');
    if (row.status === 'suspended') return err('account_suspended');
    if (row.login_ended !== 0) return err('session_ended');
    return ok({ member: toMember(row), loginId: verified.value.sessionId });
  };
}

export const TOKEN_MESSAGES: Record<TokenProblem, string> = {
  invalid_token: 'the access token is not valid',
  token_expired: 'the access token has expired; refresh it',
  account_suspended: 'this account is suspended',
  session_ended: 'this sign-in has ended (signed out or revoked); sign in again',
};

/**
 * Reads `Authorization: Bearer …` when present. A bad or expired token is an
 * error even on public routes: the client believes it is signed in and should
 * hear that it is not.
 */
export function authenticate(resolve: MemberResolver, clock: Clock): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header)?.[1];
    if (token === undefined) return next(new ApiError('invalid_token', 'the Authorization header must be "Bearer <access token>"'));
    const member = await resolve(token, clock.now());
    if (!member.ok) return next(new ApiError(member.error, TOKEN_MESSAGES[member.error]));
    req.member = member.value.member;
    next();
  };
}

export function signedIn(req: Request): Member {
  if (req.member === undefined) throw new ApiError('unauthenticated', 'sign in first');
  return req.member;
}

/** Proposing and voting need an active account. */
export function activeMember(req: Request): Member {
  const member = signedIn(req);
  if (member.status === 'pending') throw new ApiError('account_pending', 'your account waits for approval by a moderator');
  return member;
}

export function moderator(req: Request): Member {
  const member = activeMember(req);
  if (!isModerator(member.role)) throw new ApiError('forbidden', 'only moderators may do this');
  return member;
}

export function admin(req: Request): Member {
  const member = activeMember(req);
  if (member.role !== 'admin') throw new ApiError('forbidden', 'only admins may do this');
  return member;
}

export function actionContext(req: Request, clock: Clock): ActionContext {
  return { actorId: req.member?.id ?? null, requestId: typeof req.id === 'string' ? req.id : null, at: clock.now().toISOString() };
}
