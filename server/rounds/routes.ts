import { Router } from 'express';
import { ROUTES } from '../../shared/api/routes';
import type { Clock } from '../clock';
import { actionContext, moderator, signedIn } from '../http/auth';
import { onRoute } from '../http/contract-routes';
import { ApiError } from '../http/errors';
import { streamText } from '../http/stream';
import type { RoundService } from './service';

export function roundRoutes(rounds: RoundService, clock: Clock): Router {
  const r = Router();

  onRoute(r, ROUTES.createRound, async (c) => {
    moderator(c.req);
    const input = c.body();
    c.reply(await rounds.create(actionContext(c.req, clock), input));
  });

  onRoute(r, ROUTES.rounds, async (c) => {
    const q = c.query();
    const all = await rounds.list({ status: q.status, questionIds: q.questionId === undefined ? undefined : [q.questionId] });
    const canSeeDrafts = rounds.canSeeDrafts(c.req.member);
    c.send({ rounds: all.filter((x) => canSeeDrafts || x.status !== 'draft') });
  });

  onRoute(r, ROUTES.round, async (c) => {
    const result = await rounds.view(c.id('id'), c.req.member);
    if (result.ok && result.value.round.status === 'draft' && !rounds.canSeeDrafts(c.req.member)) {
      throw new ApiError('not_found', 'no such round');
    }
    c.reply(result);
  });

  onRoute(r, ROUTES.openRound, async (c) => {
    moderator(c.req);
    c.reply(await rounds.open(actionContext(c.req, clock), c.id('id')));
  });

  onRoute(r, ROUTES.closeRound, async (c) => {
    moderator(c.req);
    c.reply(await rounds.close(actionContext(c.req, clock), c.id('id')));
  });

  onRoute(r, ROUTES.publishRound, async (c) => {
    moderator(c.req);
    c.reply(await rounds.publish(actionContext(c.req, clock), c.id('id')));
  });

  // No audit event: a record of which member asked when could be laid beside the board (see credentials.ts).
  onRoute(r, ROUTES.requestCredential, async (c) => {
    const member = signedIn(c.req);
    // The connection that carried a signed-in credential request is not kept for the ballot that may follow.
    c.res.setHeader('connection', 'close');
    c.reply(await rounds.requestCredential(member, c.id('id'), c.req.body));
  });

  onRoute(r, ROUTES.roundRegister, async (c) => {
    c.reply(await rounds.register(c.id('id'), c.req.member));
  });

  onRoute(r, ROUTES.roundBoard, async (c) => {
    const result = await rounds.board(c.id('id'), c.req.member);
    if (!result.ok) {
      c.reply(result);
      return;
    }
    // Streamed: a board of 100,000 ballots is never one string in memory.
    c.res.type('application/json');
    await streamText(c.res, result.value);
  });

  onRoute(r, ROUTES.roundBundle, async (c) => {
    const id = c.id('id');
    const result = await rounds.bundleFile(id);
    if (!result.ok) {
      c.reply(result);
      return;
    }
    if (c.req.query['download'] !== undefined) c.res.attachment(`stemkring-${id}-bundle.json`);
    c.res.type('application/json').sendFile(result.value);
  });

  return r;
}
