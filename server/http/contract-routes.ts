/**
 * Registers a handler by its entry in the API contract (shared/api/routes.ts):
 * the method and path come from the entry, the body and query are parsed with
 * its schemas, and a service result is answered with its status and wrapped
 * under its key. A route file then says only what is its own: who may call,
 * and which service step answers.
 *
 * Parsing is on demand (`call.body()`), not before the handler: a handler
 * checks rights first, so that a caller without them hears 401/403 whatever
 * they sent, as before.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { RouteAnswer, RouteDef, RouteParams, RouteValue } from '../../shared/api/routes';
import { assertNever, type Result } from '../../shared/result';
import type { Failure } from '../failure';
import { parseInput, sendError } from './errors';
import { idParam } from './id-param';

type Parsed<R extends RouteDef, K extends 'body' | 'query'> = R extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : never;

export interface RouteCall<R extends RouteDef> {
  readonly req: Request;
  readonly res: Response;
  /** The body parsed with the route's schema (400 `invalid_input` naming the field otherwise). */
  body(): Parsed<R, 'body'>;
  /** The query parsed with the route's schema. */
  query(): Parsed<R, 'query'>;
  /** A path id; one that cannot exist is 404 `not_found`. */
  id(name: keyof RouteParams<R> & string): string;
  /** A path parameter as sent (not an id). */
  param(name: keyof RouteParams<R> & string): string;
  /** Answers a service result: the value at the route's status, under its key; a failure as api.md's error. */
  reply(result: Result<RouteValue<R>, Failure>): void;
  /** Answers the route's whole body at its status. */
  send(answer: RouteAnswer<R>): void;
}

type Handler<R extends RouteDef> = (call: RouteCall<R>) => Promise<void>;

/** The path under the router's mount point (`/api`). */
function localPath(def: RouteDef): string {
  if (!def.path.startsWith('/api/')) throw new Error(`${def.path} is not an /api route`);
  return def.path.slice('/api'.length);
}

function callOf<R extends RouteDef>(def: R, req: Request, res: Response): RouteCall<R> {
  const wrap = (value: unknown): unknown => (def.key === undefined ? value : { [def.key]: value });
  const answer = (body: unknown) => {
    if (def.status === 204) res.status(204).end();
    else res.status(def.status).json(body);
  };
  return {
    req,
    res,
    body: () => {
      if (def.body === undefined) throw new Error(`${def.path} takes no body`);
      return parseInput(def.body, req.body) as Parsed<R, 'body'>;
    },
    query: () => {
      if (def.query === undefined) throw new Error(`${def.path} takes no query`);
      return parseInput(def.query, req.query, 'query') as Parsed<R, 'query'>;
    },
    id: (name) => idParam(req, name),
    param: (name) => {
      const value: unknown = req.params[name];
      return typeof value === 'string' ? value : '';
    },
    reply: (result) => {
      if (result.ok) answer(wrap(result.value));
      else sendError(res, result.error.code, result.error.message, result.error.field);
    },
    send: (body) => answer(body),
  };
}

/** Registers `handler` (after `before`, e.g. a rate limit) at the route's method and path. */
export function onRoute<R extends RouteDef>(router: Router, def: R, ...args: [Handler<R>] | [readonly RequestHandler[], Handler<R>]): void {
  const [before, handler] = args.length === 1 ? [[], args[0]] : args;
  const path = localPath(def);
  const last: RequestHandler = async (req, res) => handler(callOf(def, req, res));
  switch (def.method) {
    case 'GET':
      router.get(path, ...before, last);
      return;
    case 'POST':
      router.post(path, ...before, last);
      return;
    case 'DELETE':
      router.delete(path, ...before, last);
      return;
    default:
      assertNever(def.method, 'HTTP method');
  }
}
