import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { ERROR_STATUS, type ErrorCode } from '../failure';
import type { WriteHealth } from '../store/write-health';
import { TOKEN_MESSAGES, type MemberResolver } from '../http/auth';
import { storeUnavailable } from '../http/errors';
import { requestIdOf } from '../http/headers';
import { isId } from '../../shared/protocol/ids';
import { pathPattern, ROUTES } from '../../shared/api/routes';
import type { IntakeActivity } from '../live/intake-activity';
import type { Member } from '../members/member';
import { err, ok, type Result } from '../../shared/result';
import type { RoundService } from './service';

/**
 * `POST /api/rounds/:id/ballots`, served in front of Express.
 *
 * Ballot intake is the one path that must take thousands of requests a second
 * at the end of a live session; Express's router, its request/response
 * decorations and the per-request middleware (pino-http, helmet) cost more
 * than checking and storing the ballot itself. This handler does what they
 * would do for this one route, no more: the same request id (X-Request-Id
 * honoured or made), the same security headers (taken from the helmet
 * middleware at start, so they cannot drift), the same body rules as
 * `jsonBody` (JSON only, 64 kB), the same token rules as `authenticate`, the
 * same log line and the same error bodies. The token is checked first, from
 * the headers, before the body is read. The checks and the writing are
 * RoundService.cast, as for any caller.
 */

/** The route's path from the contract, matched as Express would match it. */
const BALLOTS_PATH = pathPattern(ROUTES.castBallot);
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;
const JSON_TYPE = /^application\/(?:json|[^/;\s]+\+json)$/;
/** The largest request body read at all; larger ones are refused unread (as express.json's limit). */
export const BALLOT_BODY_LIMIT = 64 * 1024;

export interface BallotEndpointDeps {
  readonly rounds: RoundService;
  readonly resolveMember: MemberResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Headers every API answer carries (helmet's), set on each ballot answer too. */
  readonly headers: OutgoingHttpHeaders;
  /** Told of every ballot request from its arrival to its answer, so that tally pushes give way to them. */
  readonly intake: IntakeActivity;
  /** Told of writes the database refused. */
  readonly writes: WriteHealth;
}

class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly field?: string,
  ) {}
}

type Body = { readonly ok: true; readonly value: unknown; readonly bytes: number } | { readonly ok: false; readonly refusal: Refusal };

/** Answers true when the request is a ballot and has been taken; false leaves it to Express. */
export type BallotEndpoint = (req: IncomingMessage, res: ServerResponse) => boolean;

export function ballotEndpoint(deps: BallotEndpointDeps): BallotEndpoint {
  const { rounds, resolveMember, clock, logger, headers, intake, writes } = deps;

  const answer = (res: ServerResponse, requestId: string, started: bigint, req: IncomingMessage, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      'x-request-id': requestId,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    // A 503 is the store refusing writes, whose cause the write health logs once; one error line per request would bury it.
    const level = status >= 500 && status !== 503 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (logger.isLevelEnabled(level)) {
      const responseTime = Number(process.hrtime.bigint() - started) / 1e6;
      logger[level]({ req: { id: requestId, method: req.method, url: req.url }, res: { statusCode: status }, responseTime }, 'request completed');
    }
  };

  const refuse = (res: ServerResponse, requestId: string, started: bigint, req: IncomingMessage, r: Refusal): void => {
    answer(res, requestId, started, req, ERROR_STATUS[r.code], {
      error: r.field === undefined ? { code: r.code, message: r.message } : { code: r.code, message: r.message, field: r.field },
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, rawId: string, requestId: string, started: bigint): Promise<void> {
    let id: string | undefined;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      id = undefined;
    }
    // A secret round's ballot is cast without sign-in, and the Authorization header is never read: a token sent
    // anyway is ignored, so the server does not learn whose ballot it is. Whether the round is secret comes from its
    // open ledger (no query on the ballot path) or, for a round not open, from the database.
    if (id !== undefined && isId(id) && (await rounds.isSecret(id))) {
      const body = await readBody(req);
      if (!body.ok) {
        if (body.refusal.code === 'payload_too_large') res.setHeader('connection', 'close');
        refuse(res, requestId, started, req, body.refusal);
        return;
      }
      const result = await rounds.castSecret(id, body.value, body.bytes);
      if (result.ok) answer(res, requestId, started, req, 201, result.value);
      else refuse(res, requestId, started, req, new Refusal(result.error.code, result.error.message, result.error.field));
      return;
    }
    // A named round: who is asking is known from the headers alone, and a stranger is refused before a byte of the
    // body is waited for. A body still on its way is not drained (it could trickle in until the request timeout):
    // the connection closes.
    const member = await memberOf(req.headers.authorization);
    if (!member.ok) {
      if (!req.complete) res.setHeader('connection', 'close');
      refuse(res, requestId, started, req, member.error);
      return;
    }
    const body = await readBody(req);
    if (!body.ok) {
      // The rest of an over-long body is not read: close the connection once answered.
      if (body.refusal.code === 'payload_too_large') res.setHeader('connection', 'close');
      refuse(res, requestId, started, req, body.refusal);
      return;
    }
    if (id === undefined) return refuse(res, requestId, started, req, new Refusal('invalid_input', 'the request path is not valid'));
    if (!isId(id)) return refuse(res, requestId, started, req, new Refusal('not_found', 'no such item'));
    const result = await rounds.cast(member.value, id, body.value, body.bytes);
    if (result.ok) answer(res, requestId, started, req, 201, result.value);
    else refuse(res, requestId, started, req, new Refusal(result.error.code, result.error.message, result.error.field));
  }

  async function memberOf(header: string | undefined): Promise<Result<Member, Refusal>> {
    if (header === undefined) return err(new Refusal('unauthenticated', 'sign in first'));
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) return err(new Refusal('invalid_token', 'the Authorization header must be "Bearer <access token>"'));
    const member = await resolveMember(token, clock.now());
    return member.ok ? ok(member.value.member) : err(new Refusal(member.error, TOKEN_MESSAGES[member.error]));
  }

  return (req, res) => {
    if (req.method !== 'POST') return false;
    const match = BALLOTS_PATH.exec(req.url ?? '');
    if (match === null) return false;
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req.headers);
    intake.begin();
    handle(req, res, match[1] ?? '', requestId, started)
      .catch((error: unknown) => {
        // A write the database refused (disk full, read-only) is told to the write health, which logs its cause once.
        const failure = writes.note(error);
        if (failure === undefined) logger.error({ err: error, requestId }, 'unexpected error');
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (failure === undefined) refuse(res, requestId, started, req, new Refusal('internal_error', `something went wrong on our side (request ${requestId})`));
        else refuse(res, requestId, started, req, new Refusal('store_unavailable', storeUnavailable(failure).message));
      })
      .finally(() => intake.end());
    return true;
  };
}

/** What `jsonBody` does for every other route: no body is `{}`, a body must be JSON in UTF-8, and at most 64 kB. */
function readBody(req: IncomingMessage): Promise<Body> {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
    return Promise.resolve({ ok: true, value: {}, bytes: 0 });
  }
  const refused = (refusal: Refusal): Promise<Body> => {
    req.resume();
    return Promise.resolve({ ok: false, refusal });
  };
  const [type = '', ...params] = (req.headers['content-type'] ?? '').split(';');
  if (!JSON_TYPE.test(type.trim().toLowerCase())) return refused(new Refusal('unsupported_media_type', 'send the body as application/json'));
  const charset = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='));
  if (charset !== undefined && !['charset=utf-8', 'charset="utf-8"', 'charset=utf8'].includes(charset)) {
    return refused(new Refusal('unsupported_media_type', 'send JSON encoded as UTF-8'));
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return refused(new Refusal('unsupported_media_type', 'send the ballot uncompressed'));
  if (length !== undefined && Number(length) > BALLOT_BODY_LIMIT) return refused(new Refusal('payload_too_large', 'the request body is too large'));

  // The client may have gone while its token was checked: its 'close' has passed, and no listener would hear it.
  if (req.destroyed) return Promise.resolve({ ok: false, refusal: new Refusal('invalid_input', 'the request body could not be read') });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const finish = (body: Body): void => {
      if (done) return;
      done = true;
      resolve(body);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes > BALLOT_BODY_LIMIT) {
        finish({ ok: false, refusal: new Refusal('payload_too_large', 'the request body is too large') });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8');
      try {
        finish({ ok: true, value: JSON.parse(text) as unknown, bytes });
      } catch {
        finish({ ok: false, refusal: new Refusal('invalid_json', 'the request body is not valid JSON') });
      }
    });
    // The client went away before the end: the answer goes nowhere, but the request is settled.
    const broken = (): void => finish({ ok: false, refusal: new Refusal('invalid_input', 'the request body could not be read') });
    req.on('error', broken);
    req.on('close', broken);
  });
}
