import { Router } from 'express';
import type { Clock } from '../clock';
import { actionContext, activeMember, moderator } from '../http/auth';
import { ApiError, parseInput } from '../http/errors';
import { idParam, reply } from '../http/reply';
import { isModerator } from '../members/member';
import { hideInput, mergeInput, proposalInput, questionInput, sessionInput } from './model';
import type { SessionService } from './service';

export function sessionRoutes(sessions: SessionService, clock: Clock): Router {
  const r = Router();

  r.get('/sessions', async (_req, res) => {
    res.json({ sessions: await sessions.list() });
  });

  r.post('/sessions', async (req, res) => {
    moderator(req);
    const input = parseInput(sessionInput, req.body);
    reply(res, await sessions.create(actionContext(req, clock), input), 201, 'session');
  });

  r.get('/sessions/:id', async (req, res) => {
    const forModerator = req.member !== undefined && req.member.status === 'active' && isModerator(req.member.role);
    const session = await sessions.detail(idParam(req, 'id'), forModerator);
    if (session === undefined) throw new ApiError('not_found', 'no such session');
    res.json({ session });
  });

  r.post('/sessions/:id/questions', async (req, res) => {
    moderator(req);
    const { text } = parseInput(questionInput, req.body);
    reply(res, await sessions.addQuestion(actionContext(req, clock), idParam(req, 'id'), text), 201, 'question');
  });

  r.post('/questions/:id/proposals', async (req, res) => {
    activeMember(req);
    const input = parseInput(proposalInput, req.body);
    reply(res, await sessions.propose(actionContext(req, clock), idParam(req, 'id'), input), 201, 'proposal');
  });

  r.post('/proposals/:id/hide', async (req, res) => {
    moderator(req);
    const { reason } = parseInput(hideInput, req.body);
    reply(res, await sessions.hide(actionContext(req, clock), idParam(req, 'id'), reason), 200, 'proposal');
  });

  r.post('/proposals/:id/merge', async (req, res) => {
    moderator(req);
    const { into } = parseInput(mergeInput, req.body);
    reply(res, await sessions.merge(actionContext(req, clock), idParam(req, 'id'), into), 200, 'proposal');
  });

  return r;
}
