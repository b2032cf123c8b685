import { Router, type RequestHandler } from 'express';
import { ROUTES } from '../../shared/api/routes';
import type { Clock } from '../clock';
import { actionContext, admin, moderator, signedIn } from '../http/auth';
import { onRoute } from '../http/contract-routes';
import { ApiError } from '../http/errors';
import { rateLimit, type LoginThrottle, type RateLimiter } from '../http/rate-limit';
import type { MemberService } from './service';

export interface MemberLimiters {
  /** Every sign-in attempt from one address, right or wrong: a flood guard. */
  readonly loginByAddress: RateLimiter;
  /** Wrong passwords per (address, account) and per account. */
  readonly loginFailures: LoginThrottle;
  readonly registerByAddress: RateLimiter;
}

/** Answers that carry tokens (and their refusals) must never be kept by a browser or proxy cache. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

export function memberRoutes(members: MemberService, clock: Clock, limits: MemberLimiters): Router {
  const r = Router();
  r.use('/auth', noStore);

  onRoute(r, ROUTES.register, [rateLimit(limits.registerByAddress, (req) => `register:${req.ip ?? ''}`)], async (c) => {
    const input = c.body();
    c.reply(await members.register(actionContext(c.req, clock), input));
  });

  onRoute(r, ROUTES.login, [rateLimit(limits.loginByAddress, (req) => `login:${req.ip ?? ''}`)], async (c) => {
    const input = c.body();
    const address = c.req.ip ?? '';
    const wait = limits.loginFailures.attempt(address, input.email);
    if (wait !== null) {
      c.res.setHeader('Retry-After', String(wait));
      throw new ApiError('too_many_requests', `too many wrong passwords for this account; try again in ${wait} seconds`);
    }
    const result = await members.login(actionContext(c.req, clock), input);
    if (result.ok || result.error.code !== 'invalid_credentials') limits.loginFailures.settled(address, input.email, result.ok);
    c.reply(result);
  });

  onRoute(r, ROUTES.refresh, async (c) => {
    const { refreshToken } = c.body();
    c.reply(await members.refresh(actionContext(c.req, clock), refreshToken));
  });

  onRoute(r, ROUTES.logout, async (c) => {
    const { refreshToken } = c.body();
    c.reply(await members.logout(actionContext(c.req, clock), refreshToken));
  });

  onRoute(r, ROUTES.me, async (c) => {
    const member = signedIn(c.req);
    const me = await members.me(member.id);
    if (me === undefined) throw new ApiError('invalid_token', 'the access token is not valid');
    c.send(me);
  });

  onRoute(r, ROUTES.addKey, async (c) => {
    const member = signedIn(c.req);
    const { publicKey } = c.body();
    c.reply(await members.addKey(actionContext(c.req, clock), member.id, publicKey));
  });

  onRoute(r, ROUTES.revokeKey, async (c) => {
    const member = signedIn(c.req);
    c.reply(await members.revokeKey(actionContext(c.req, clock), member.id, c.param('publicKey')));
  });

  onRoute(r, ROUTES.members, async (c) => {
    moderator(c.req);
    const { status } = c.query();
    c.send({ members: await members.list(status) });
  });

  onRoute(r, ROUTES.approve, async (c) => {
    const actor = moderator(c.req);
    c.reply(await members.approve(actionContext(c.req, clock), actor.role, c.id('id')));
  });

  onRoute(r, ROUTES.setRole, async (c) => {
    admin(c.req);
    const { role } = c.body();
    c.reply(await members.setRole(actionContext(c.req, clock), c.id('id'), role));
  });

  onRoute(r, ROUTES.suspend, async (c) => {
    const actor = moderator(c.req);
    const { reason } = c.body();
    c.reply(await members.suspend(actionContext(c.req, clock), actor.role, c.id('id'), reason ?? ''));
  });

  onRoute(r, ROUTES.reinstate, async (c) => {
    const actor = moderator(c.req);
    c.reply(await members.reinstate(actionContext(c.req, clock), actor.role, c.id('id')));
  });

  onRoute(r, ROUTES.invites, async (c) => {
    moderator(c.req);
    const { count } = c.body();
    c.reply(await members.createInvites(actionContext(c.req, clock), count));
  });

  return r;
}
