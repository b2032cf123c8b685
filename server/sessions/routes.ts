import { Router } from 'express';
import { ROUTES } from '../../shared/api/routes';
import type { Clock } from '../clock';
import { actionContext, activeMember, moderator } from '../http/auth';
import { onRoute } from '../http/contract-routes';
import { ApiError } from '../http/errors';
import { isModerator } from '../members/member';
import type { SessionService } from './service';

export function sessionRoutes(sessions: SessionService, clock: Clock): Router {
  const r = Router();

  onRoute(r, ROUTES.sessions, async (c) => {
    c.send({ sessions: await sessions.list() });
  });

  onRoute(r, ROUTES.createSession, async (c) => {
    moderator(c.req);
    const input = c.body();
    c.reply(await sessions.create(actionContext(c.req, clock), input));
  });

  onRoute(r, ROUTES.session, async (c) => {
    const viewer = c.req.member;
    const forModerator = viewer !== undefined && viewer.status === 'active' && isModerator(viewer.role);
    const session = await sessions.detail(c.id('id'), forModerator);
    if (session === undefined) throw new ApiError('not_found', 'no such session');
    c.send({ session });
  });

  onRoute(r, ROUTES.addQuestion, async (c) => {
    moderator(c.req);
    const { text } = c.body();
    c.reply(await sessions.addQuestion(actionContext(c.req, clock), c.id('id'), text));
  });

  onRoute(r, ROUTES.propose, async (c) => {
    activeMember(c.req);
    const input = c.body();
    c.reply(await sessions.propose(actionContext(c.req, clock), c.id('id'), input));
  });

  onRoute(r, ROUTES.hide, async (c) => {
    moderator(c.req);
    const { reason } = c.body();
    c.reply(await sessions.hide(actionContext(c.req, clock), c.id('id'), reason));
  });

  onRoute(r, ROUTES.merge, async (c) => {
    moderator(c.req);
    const { into } = c.body();
    c.reply(await sessions.merge(actionContext(c.req, clock), c.id('id'), into));
  });

  return r;
}
