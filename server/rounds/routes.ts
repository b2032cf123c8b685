import { Router } from 'express';
import type { Clock } from '../clock';
import { actionContext, moderator } from '../http/auth';
import { ApiError, parseInput } from '../http/errors';
import { idParam, reply } from '../http/reply';
import { streamText } from '../http/stream';
import { createRoundInput, roundListQuery } from './model';
import type { RoundService } from './service';

export function roundRoutes(rounds: RoundService, clock: Clock): Router {
  const r = Router();

  r.post('/rounds', async (req, res) => {
    moderator(req);
    const input = parseInput(createRoundInput, req.body);
    reply(res, await rounds.create(actionContext(req, clock), input), 201, 'round');
  });

  r.get('/rounds', async (req, res) => {
    const q = parseInput(roundListQuery, req.query, 'query');
    const all = await rounds.list({ status: q.status, questionIds: q.questionId === undefined ? undefined : [q.questionId] });
    const canSeeDrafts = rounds.canSeeDrafts(req.member);
    res.json({ rounds: all.filter((x) => canSeeDrafts || x.status !== 'draft') });
  });

  r.get('/rounds/:id', async (req, res) => {
    const result = await rounds.view(idParam(req, 'id'), req.member);
    if (result.ok && result.value.round.status === 'draft' && !rounds.canSeeDrafts(req.member)) {
      throw new ApiError('not_found', 'no such round');
    }
    if (result.ok) res.json(result.value);
    else reply(res, result, 200, 'round');
  });

  r.post('/rounds/:id/open', async (req, res) => {
    moderator(req);
    reply(res, await rounds.open(actionContext(req, clock), idParam(req, 'id')), 200, 'round');
  });

  r.post('/rounds/:id/close', async (req, res) => {
    moderator(req);
    reply(res, await rounds.close(actionContext(req, clock), idParam(req, 'id')), 200, 'round');
  });

  r.post('/rounds/:id/publish', async (req, res) => {
    moderator(req);
    reply(res, await rounds.publish(actionContext(req, clock), idParam(req, 'id')), 200, 'round');
  });

  r.get('/rounds/:id/register', async (req, res) => {
    const result = await rounds.register(idParam(req, 'id'), req.member);
    if (result.ok) res.json(result.value);
    else reply(res, result, 200, 'register');
  });

  r.get('/rounds/:id/board', async (req, res) => {
    const result = await rounds.board(idParam(req, 'id'), req.member);
    if (!result.ok) {
      reply(res, result, 200, 'board');
      return;
    }
    // Streamed: a board of 100,000 ballots is never one string in memory.
    res.type('application/json');
    await streamText(res, result.value);
  });

  r.get('/rounds/:id/bundle', async (req, res) => {
    const id = idParam(req, 'id');
    const result = await rounds.bundleFile(id);
    if (!result.ok) {
      reply(res, result, 200, 'bundle');
      return;
    }
    if (req.query['download'] !== undefined) res.attachment(`stemkring-${id}-bundle.json`);
    res.type('application/json').sendFile(result.value);
  });

  return r;
}
