import type { RequestHandler } from 'express';
import type { Clock } from '../clock';
import type { WriteHealth } from '../store/write-health';

/**
 * `GET /api/health`: 200 `{status: 'ok'}` when a write to the database goes
 * through now, else 503 `{status: 'degraded', reason, message}` with why it
 * does not (reason: disk_full, read_only, io_error, busy or corrupt). A
 * monitor sees what members see: a server that cannot take a login or a
 * ballot is not healthy. The last failure is kept in the answer after writes
 * work again (`lastWriteFailure`), for whoever looks into it.
 */
export function healthRoute(writes: WriteHealth, instance: string, clock: Clock): RequestHandler {
  return async (_req, res) => {
    const status = await writes.probe();
    const base = { instance, time: clock.now().toISOString() };
    if (status.ok) {
      const last = status.lastFailure;
      res.json({ status: 'ok', ...base, ...(last === undefined ? {} : { lastWriteFailure: { reason: last.problem, message: last.message, at: last.at } }) });
      return;
    }
    const { problem, message, at } = status.failure;
    res.status(503).json({ status: 'degraded', reason: problem, message: `the database cannot be written: ${message}`, since: at, ...base });
  };
}
