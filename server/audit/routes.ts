import { Router } from 'express';
import { z } from 'zod';
import type { Store } from '../store/store';
import { moderator } from '../http/auth';
import { parseInput } from '../http/errors';
import { listAudit } from './audit';

const auditQuery = z.strictObject({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  action: z.string().max(64).optional(),
  target: z.string().max(100).optional(),
});

export function auditRoutes(store: Store): Router {
  const r = Router();
  r.get('/audit', async (req, res) => {
    moderator(req);
    const q = parseInput(auditQuery, req.query, 'query');
    const events = await listAudit(store.db, { before: q.before, limit: q.limit, action: q.action, targetId: q.target });
    res.json({ events, next: events.length === q.limit ? events[events.length - 1]?.seq : null });
  });
  return r;
}
