import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { assertNever } from '../../shared/result';
import type { StoreProblem, WriteFailure, WriteHealth, WriteHealthReporter } from '../store/write-health';
import { ERROR_STATUS, type ErrorCode } from '../failure';

/** A transport-level error: thrown by routes and middleware, answered by `errorHandler`. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export function sendError(res: Response, code: ErrorCode, message: string, field?: string): void {
  res.status(ERROR_STATUS[code]).json({ error: field === undefined ? { code, message } : { code, message, field } });
}

/** Parses input with a zod schema or throws a 400 that names the failing field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? where : issue.path.map(String).join('.');
  const message = issue === undefined ? 'invalid input' : `${field}: ${issue.message}`;
  throw new ApiError('invalid_input', message, field);
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError('not_found', `no route ${req.method} ${req.path}`));
};

interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  return typeof e === 'object' && e !== null && 'type' in e && typeof (e).type === 'string';
}

/** The answer to a request whose write the database refused: the cause is logged by the store's write health. */
export function storeUnavailable(failure: WriteFailure): { readonly code: 'store_unavailable'; readonly message: string } {
  return { code: 'store_unavailable', message: `the database cannot be written just now (${PROBLEM_TEXT[failure.problem]}); nothing was changed, try again later` };
}

const PROBLEM_TEXT: Record<StoreProblem, string> = {
  disk_full: 'the disk is full',
  read_only: 'it is read-only',
  io_error: 'the disk fails',
  busy: 'it is busy',
  corrupt: 'it is damaged',
};

/**
 * The log lines of the store's write health: one error per cause and
 * interval, with the count of failed writes it stands for, and a line when
 * writes work again.
 */
export function writeHealthLog(logger: Logger): WriteHealthReporter {
  return (event) => {
    switch (event.kind) {
      case 'failing': {
        const { problem, code, message, at } = event.failure;
        const more = event.repeats > 0 ? `; ${event.repeats} more failed since the last report` : '';
        logger.error({ store: { problem, code, message, at }, repeats: event.repeats }, `the database cannot be written: ${message} (${code})${more}`);
        return;
      }
      case 'recovered':
        logger.warn({ store: { failures: event.failures, since: event.since } }, `the database can be written again, after ${event.failures} failed writes since ${event.since}`);
        return;
      default:
        assertNever(event, 'write health event');
    }
  };
}

/**
 * Answers every error in api.md's shape. A write the database refused
 * (disk full, read-only) is 503 store_unavailable, told to the write health
 * (which logs its cause once); anything else unexpected is logged and
 * answered 500 without details.
 */
export function errorHandler(logger: Logger, writes?: WriteHealth): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (error instanceof ApiError) {
      sendError(res, error.code, error.message, error.field);
      return;
    }
    if (isBodyParserError(error)) {
      switch (error.type) {
        case 'entity.parse.failed':
          sendError(res, 'invalid_json', 'the request body is not valid JSON');
          return;
        case 'entity.too.large':
          sendError(res, 'payload_too_large', 'the request body is too large');
          return;
        case 'encoding.unsupported':
        case 'charset.unsupported':
          sendError(res, 'unsupported_media_type', 'send JSON encoded as UTF-8');
          return;
        case 'request.aborted':
        case 'request.size.invalid':
        case 'stream.encoding.set':
          sendError(res, 'invalid_input', 'the request body could not be read');
          return;
        default:
          break;
      }
    }
    if (error instanceof URIError) {
      sendError(res, 'invalid_input', 'the request path is not valid');
      return;
    }
    const failure = writes?.note(error);
    if (failure !== undefined) {
      const answer = storeUnavailable(failure);
      sendError(res, answer.code, answer.message);
      return;
    }
    const requestId = typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : '';
    logger.error({ err: error, requestId }, 'unexpected error');
    sendError(res, 'internal_error', `something went wrong on our side (request ${requestId})`);
  };
}
