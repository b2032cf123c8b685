import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The caller's X-Request-Id when it is a sensible one, else a fresh id: logged and echoed on every answer. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * The headers a middleware that only sets fixed headers (helmet) puts on every
 * answer, found by running it once against a stand-in response. A handler
 * that answers outside Express sets these, and stays in step with whatever
 * the middleware is configured to send.
 */
export function headersSetBy(middleware: RequestHandler): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const res = {
    setHeader(name: string, value: string | number | string[]) {
      headers[name.toLowerCase()] = value;
      return res;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader(name: string) {
      return headers[name.toLowerCase()];
    },
  };
  let called = false;
  void middleware({ headers: {}, method: 'GET', url: '/' } as Request, res as unknown as Response, (e?: unknown) => {
    if (e !== undefined) throw e instanceof Error ? e : new Error('headersSetBy: the middleware failed');
    called = true;
  });
  if (!called) throw new Error('headersSetBy: the middleware did not finish at once; it does more than set fixed headers');
  return headers;
}
