import { Router } from 'express';
import { ROUTES } from '../../shared/api/routes';
import type { Store } from '../store/store';
import { moderator } from '../http/auth';
import { onRoute } from '../http/contract-routes';
import { listAudit } from './audit';

export function auditRoutes(store: Store): Router {
  const r = Router();
  onRoute(r, ROUTES.audit, async (c) => {
    moderator(c.req);
    const q = c.query();
    const events = await listAudit(store.db, { before: q.before, limit: q.limit, action: q.action, targetId: q.target });
    c.send({ events, next: events.length === q.limit ? (events[events.length - 1]?.seq ?? null) : null });
  });
  return r;
}
