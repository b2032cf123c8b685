import type { Request, RequestHandler } from 'express';
import type { ActionContext } from '../audit/audit';
import type { AccessTokens } from '../auth/tokens';
import type { Clock } from '../clock';
import type { Store } from '../store/store';
import { isModerator, toMember, type Member } from '../members/member';
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
  return async (token, now) => {
    const verified = await tokens.verify(token, now);
    if (!verified.ok) return err(verified.error);
    // Read fresh each time, so a suspension, a sign-out or a revoked refresh chain takes effect at once.
    // One read per request (ballots pass here): the member and whether the login ended (see Store.tokenHolder).
    const holder = await store.tokenHolder(verified.value.memberId, verified.value.sessionId);
    if (holder === undefined) return err('invalid_token');
    if (holder.member.status === 'suspended') return err('account_suspended');
    if (holder.loginEnded) return err('session_ended');
    return ok({ member: toMember(holder.member), loginId: verified.value.sessionId });
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
