import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Clock } from '../clock';
import { parseInput } from '../http/errors';
import { actionContext, admin, moderator, signedIn } from '../http/auth';
import { idParam, reply } from '../http/reply';
import { rateLimit, type LoginThrottle, type RateLimiter } from '../http/rate-limit';
import { invitesInput, keyInput, loginInput, memberListQuery, refreshInput, registerInput, roleInput } from './member';
import type { MemberService } from './service';
import { ApiError } from '../http/errors';

export interface MemberLimiters {
  /** Every sign-in attempt from one address, right or wrong: a flood guard. */
  readonly loginByAddress: RateLimiter;
  /** Wrong passwords per (address, account) and per account. */
  readonly loginFailures: LoginThrottle;
  readonly registerByAddress: RateLimiter;
}

const suspendInput = z.strictObject({ reason: z.string().max(1_000).optional() });

/** Answers that carry tokens (and their refusals) must never be kept by a browser or proxy cache. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

export function memberRoutes(members: MemberService, clock: Clock, limits: MemberLimiters): Router {
  const r = Router();
  r.use('/auth', noStore);

  r.post(
    '/auth/register',
    rateLimit(limits.registerByAddress, (req) => `register:${req.ip ?? ''}`),
    async (req, res) => {
      const input = parseInput(registerInput, req.body);
      reply(res, await members.register(actionContext(req, clock), input), 201, 'member');
    },
  );

  r.post(
    '/auth/login',
    rateLimit(limits.loginByAddress, (req) => `login:${req.ip ?? ''}`),
    async (req, res) => {
      const input = parseInput(loginInput, req.body);
      const address = req.ip ?? '';
      const wait = limits.loginFailures.attempt(address, input.email);
      if (wait !== null) {
        res.setHeader('Retry-After', String(wait));
        throw new ApiError('too_many_requests', `too many wrong passwords for this account; try again in ${wait} seconds`);
      }
      const result = await members.login(actionContext(req, clock), input);
      if (result.ok || result.error.code !== 'invalid_credentials') limits.loginFailures.settled(address, input.email, result.ok);
      if (result.ok) res.status(200).json(result.value);
      else reply(res, result, 200, 'member');
    },
  );

  r.post('/auth/refresh', async (req, res) => {
    const { refreshToken } = parseInput(refreshInput, req.body);
    const result = await members.refresh(actionContext(req, clock), refreshToken);
    if (result.ok) res.status(200).json(result.value);
    else reply(res, result, 200, 'member');
  });

  r.post('/auth/logout', async (req, res) => {
    const { refreshToken } = parseInput(refreshInput, req.body);
    const result = await members.logout(actionContext(req, clock), refreshToken);
    if (result.ok) res.status(204).end();
    else reply(res, result, 204, 'member');
  });

  r.get('/me', async (req, res) => {
    const member = signedIn(req);
    const me = await members.me(member.id);
    if (me === undefined) throw new ApiError('invalid_token', 'the access token is not valid');
    res.json(me);
  });

  r.post('/me/keys', async (req, res) => {
    const member = signedIn(req);
    const { publicKey } = parseInput(keyInput, req.body);
    reply(res, await members.addKey(actionContext(req, clock), member.id, publicKey), 201, 'key');
  });

  r.delete('/me/keys/:publicKey', async (req, res) => {
    const member = signedIn(req);
    const publicKey = req.params['publicKey'] ?? '';
    reply(res, await members.revokeKey(actionContext(req, clock), member.id, publicKey), 200, 'key');
  });

  r.get('/members', async (req, res) => {
    moderator(req);
    const { status } = parseInput(memberListQuery, req.query, 'query');
    res.json({ members: await members.list(status) });
  });

  r.post('/members/:id/approve', async (req, res) => {
    const actor = moderator(req);
    reply(res, await members.approve(actionContext(req, clock), actor.role, idParam(req, 'id')), 200, 'member');
  });

  r.post('/members/:id/role', async (req, res) => {
    admin(req);
    const { role } = parseInput(roleInput, req.body);
    reply(res, await members.setRole(actionContext(req, clock), idParam(req, 'id'), role), 200, 'member');
  });

  r.post('/members/:id/suspend', async (req, res) => {
    const actor = moderator(req);
    const { reason } = parseInput(suspendInput, req.body);
    reply(res, await members.suspend(actionContext(req, clock), actor.role, idParam(req, 'id'), reason ?? ''), 200, 'member');
  });

  r.post('/members/:id/reinstate', async (req, res) => {
    const actor = moderator(req);
    reply(res, await members.reinstate(actionContext(req, clock), actor.role, idParam(req, 'id')), 200, 'member');
  });

  r.post('/invites', async (req, res) => {
    moderator(req);
    const { count } = parseInput(invitesInput, req.body);
    const result = await members.createInvites(actionContext(req, clock), count);
    if (result.ok) res.status(201).json(result.value);
    else reply(res, result, 201, 'codes');
  });

  return r;
}
