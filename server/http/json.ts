import express, { type RequestHandler } from 'express';
import { ApiError } from './errors';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * JSON bodies only. A body of another type is refused (415) rather than
 * silently ignored; a request without a body gets `{}` so routes that take no
 * input (approve, open, close) need no special case.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const parse = express.json({ limit, strict: false, type: ['application/json', 'application/*+json'] });
  const check: RequestHandler = (req, _res, next) => {
    if (!BODY_METHODS.has(req.method)) return next();
    if (!hasBody(req.headers)) {
      req.body = {};
      return next();
    }
    if (!req.is(['application/json', 'application/*+json'])) {
      return next(new ApiError('unsupported_media_type', 'send the body as application/json'));
    }
    next();
  };
  const ensureObject: RequestHandler = (req, _res, next) => {
    if (BODY_METHODS.has(req.method) && req.body === undefined) req.body = {};
    next();
  };
  return [check, parse, ensureObject];
}
