/**
 * The HTTP contract: every route with its method, path, success status,
 * request schema (body or query), response schema and the key its value is
 * wrapped under (`{round: …}`), and the codes it refuses with beyond those
 * any route may answer (COMMON_ERRORS, and TOKEN_ERRORS where a token is
 * sent). The server registers its handlers by these entries, and the browser
 * and the test client build their calls from them, so a path, a wrapper key
 * or a shape cannot differ between the three.
 *
 * Responses are typed, not validated at runtime by the callers: the schemas
 * are the server's promise, checked by its tests; a browser re-parsing every
 * answer (a live tally, a board of many ballots) would pay for nothing.
 */
import type { z } from 'zod';
import { z as zod } from 'zod';
import type { InstanceInfo } from '../protocol/types';
import { AuditPageSchema, auditQuery } from './audit';
import type { ErrorCode } from './errors';
import {
  DeviceKeySchema,
  InvitesSchema,
  keyInput,
  loginInput,
  MemberSchema,
  memberListQuery,
  MeSchema,
  refreshInput,
  registerInput,
  invitesInput,
  roleInput,
  suspendInput,
  TokensSchema,
} from './members';
import {
  BallotRequestSchema,
  BoardAnswerSchema,
  BundleAnswerSchema,
  createRoundInput,
  CredentialAnswerSchema,
  credentialInput,
  RegisterAnswerSchema,
  roundListQuery,
  RoundSchema,
  RoundViewSchema,
  SignedReceiptAnswerSchema,
} from './rounds';
import {
  hideInput,
  mergeInput,
  proposalInput,
  ProposalSchema,
  questionInput,
  QuestionSchema,
  sessionInput,
  SessionDetailSchema,
  SessionSchema,
  SessionSummarySchema,
} from './sessions';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Codes any route may answer: bad or oversized input, throttling, and the server's own trouble. */
export const COMMON_ERRORS = [
  'invalid_json',
  'invalid_input',
  'unsupported_media_type',
  'payload_too_large',
  'too_many_requests',
  'internal_error',
  'store_unavailable',
] as const satisfies readonly ErrorCode[];

/** Codes of a request that sends a bearer token (README "API", token errors). */
export const TOKEN_ERRORS = ['invalid_token', 'token_expired', 'session_ended', 'account_suspended'] as const satisfies readonly ErrorCode[];

export interface RouteDef {
  readonly method: HttpMethod;
  /** The full path, `:name` for a path parameter. */
  readonly path: string;
  /** The status of a success. */
  readonly status: number;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  /** The value answered: the whole body, or the value under `key`. */
  readonly response: z.ZodType;
  readonly key?: string;
  readonly errors: readonly ErrorCode[];
}

/** Keeps each entry's literal path, key and schemas in its type. */
function route<const R extends RouteDef>(def: R): R {
  return def;
}

const READ_GATE = ['not_found', 'not_visible', 'unauthenticated', 'forbidden', 'account_pending', 'not_in_electorate', 'round_not_open'] as const;
const MEMBER_ACTION = ['unauthenticated', 'forbidden', 'not_found', 'conflict'] as const;

export const ROUTES = {
  // Members and keys
  register: route({ method: 'POST', path: '/api/auth/register', status: 201, body: registerInput, response: MemberSchema, key: 'member', errors: ['email_taken', 'invalid_invite'] }),
  login: route({ method: 'POST', path: '/api/auth/login', status: 200, body: loginInput, response: TokensSchema, errors: ['invalid_credentials', 'account_suspended'] }),
  refresh: route({
    method: 'POST',
    path: '/api/auth/refresh',
    status: 200,
    body: refreshInput,
    response: TokensSchema,
    errors: ['invalid_refresh_token', 'refresh_token_reused', 'refresh_token_revoked', 'account_suspended'],
  }),
  logout: route({ method: 'POST', path: '/api/auth/logout', status: 204, body: refreshInput, response: zod.null(), errors: ['invalid_refresh_token'] }),
  me: route({ method: 'GET', path: '/api/me', status: 200, response: MeSchema, errors: ['unauthenticated'] }),
  addKey: route({ method: 'POST', path: '/api/me/keys', status: 201, body: keyInput, response: DeviceKeySchema, key: 'key', errors: ['unauthenticated', 'invalid_public_key', 'key_in_use'] }),
  revokeKey: route({ method: 'DELETE', path: '/api/me/keys/:publicKey', status: 200, response: DeviceKeySchema, key: 'key', errors: ['unauthenticated', 'not_found', 'conflict'] }),
  members: route({ method: 'GET', path: '/api/members', status: 200, query: memberListQuery, response: zod.array(MemberSchema), key: 'members', errors: ['unauthenticated', 'forbidden'] }),
  approve: route({ method: 'POST', path: '/api/members/:id/approve', status: 200, response: MemberSchema, key: 'member', errors: MEMBER_ACTION }),
  setRole: route({ method: 'POST', path: '/api/members/:id/role', status: 200, body: roleInput, response: MemberSchema, key: 'member', errors: ['unauthenticated', 'forbidden', 'not_found', 'last_admin'] }),
  suspend: route({ method: 'POST', path: '/api/members/:id/suspend', status: 200, body: suspendInput, response: MemberSchema, key: 'member', errors: [...MEMBER_ACTION, 'last_admin'] }),
  reinstate: route({ method: 'POST', path: '/api/members/:id/reinstate', status: 200, response: MemberSchema, key: 'member', errors: MEMBER_ACTION }),
  invites: route({ method: 'POST', path: '/api/invites', status: 201, body: invitesInput, response: InvitesSchema, errors: ['unauthenticated', 'forbidden'] }),

  // Sessions, questions, proposals
  sessions: route({ method: 'GET', path: '/api/sessions', status: 200, response: zod.array(SessionSummarySchema), key: 'sessions', errors: [] }),
  createSession: route({ method: 'POST', path: '/api/sessions', status: 201, body: sessionInput, response: SessionSchema, key: 'session', errors: ['unauthenticated', 'forbidden'] }),
  session: route({ method: 'GET', path: '/api/sessions/:id', status: 200, response: SessionDetailSchema, key: 'session', errors: ['not_found'] }),
  addQuestion: route({ method: 'POST', path: '/api/sessions/:id/questions', status: 201, body: questionInput, response: QuestionSchema, key: 'question', errors: ['unauthenticated', 'forbidden', 'not_found'] }),
  propose: route({
    method: 'POST',
    path: '/api/questions/:id/proposals',
    status: 201,
    body: proposalInput,
    response: ProposalSchema,
    key: 'proposal',
    errors: ['unauthenticated', 'forbidden', 'account_pending', 'not_found'],
  }),
  hide: route({ method: 'POST', path: '/api/proposals/:id/hide', status: 200, body: hideInput, response: ProposalSchema, key: 'proposal', errors: ['unauthenticated', 'forbidden', 'not_found', 'conflict'] }),
  merge: route({ method: 'POST', path: '/api/proposals/:id/merge', status: 200, body: mergeInput, response: ProposalSchema, key: 'proposal', errors: ['unauthenticated', 'forbidden', 'not_found', 'conflict'] }),

  // Rounds and ballots
  createRound: route({ method: 'POST', path: '/api/rounds', status: 201, body: createRoundInput, response: RoundSchema, key: 'round', errors: ['unauthenticated', 'forbidden', 'not_found'] }),
  rounds: route({ method: 'GET', path: '/api/rounds', status: 200, query: roundListQuery, response: zod.array(RoundSchema), key: 'rounds', errors: [] }),
  round: route({ method: 'GET', path: '/api/rounds/:id', status: 200, response: RoundViewSchema, errors: ['not_found'] }),
  openRound: route({ method: 'POST', path: '/api/rounds/:id/open', status: 200, response: RoundSchema, key: 'round', errors: ['unauthenticated', 'forbidden', 'not_found', 'conflict'] }),
  closeRound: route({ method: 'POST', path: '/api/rounds/:id/close', status: 200, response: RoundSchema, key: 'round', errors: ['unauthenticated', 'forbidden', 'not_found', 'conflict', 'round_not_open'] }),
  publishRound: route({ method: 'POST', path: '/api/rounds/:id/publish', status: 200, response: RoundSchema, key: 'round', errors: ['unauthenticated', 'forbidden', 'not_found', 'conflict', 'round_not_closed'] }),
  /** Served by server/rounds/ballot-endpoint.ts in front of Express; its codes in protocol.md's order of checks. */
  castBallot: route({
    method: 'POST',
    path: '/api/rounds/:id/ballots',
    status: 201,
    body: BallotRequestSchema,
    response: SignedReceiptAnswerSchema,
    errors: [
      'ballot_too_large',
      'invalid_ballot',
      'invalid_choice',
      'wrong_instance',
      'wrong_round',
      'round_not_open',
      'wrong_definition',
      'account_pending',
      'not_in_electorate',
      'key_not_registered',
      'bad_signature',
      'cast_at_out_of_window',
      'nonce_reused',
      'already_voted',
      'invalid_credential',
      'unauthenticated',
      'not_found',
    ],
  }),
  /** Secret rounds: a member's device asks once, signed in, for the credential of its round key. */
  requestCredential: route({
    method: 'POST',
    path: '/api/rounds/:id/credential',
    status: 200,
    body: credentialInput,
    response: CredentialAnswerSchema,
    errors: ['unauthenticated', 'account_pending', 'not_found', 'invalid_input', 'round_not_open', 'round_not_secret', 'not_in_electorate', 'credential_already_issued'],
  }),
  roundRegister: route({ method: 'GET', path: '/api/rounds/:id/register', status: 200, response: RegisterAnswerSchema, errors: READ_GATE }),
  roundBoard: route({ method: 'GET', path: '/api/rounds/:id/board', status: 200, response: BoardAnswerSchema, errors: READ_GATE }),
  roundBundle: route({ method: 'GET', path: '/api/rounds/:id/bundle', status: 200, response: BundleAnswerSchema, errors: ['not_found', 'not_visible'] }),

  // The server's own reads
  audit: route({ method: 'GET', path: '/api/audit', status: 200, query: auditQuery, response: AuditPageSchema, errors: ['unauthenticated', 'forbidden'] }),
  /** 503 with the same fields (`status: 'degraded'`) when the database cannot be written; see server/http/health.ts. */
  health: route({
    method: 'GET',
    path: '/api/health',
    status: 200,
    response: zod.looseObject({ status: zod.enum(['ok', 'degraded']), instance: zod.string(), time: zod.string() }),
    errors: [],
  }),
  instance: route({ method: 'GET', path: '/.well-known/stemkring.json', status: 200, response: zod.custom<InstanceInfo>(), errors: [] }),
} as const;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;

/** `{id: string}` for `/api/rounds/:id`, `{}` for a path without parameters. */
export type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;

export type RouteParams<R extends RouteDef> = ParamsOf<R['path']>;
/** What a caller sends (before the schema's defaults and transforms). */
export type RouteBody<R extends RouteDef> = R extends { body: infer S extends z.ZodType } ? z.input<S> : undefined;
export type RouteQuery<R extends RouteDef> = R extends { query: infer S extends z.ZodType } ? z.input<S> : undefined;
/** The value a handler produces (before wrapping). */
export type RouteValue<R extends RouteDef> = z.output<R['response']>;
/** The body a caller receives: the value, under `key` where the route has one. */
export type RouteAnswer<R extends RouteDef> = R extends { key: infer K extends string } ? { [P in K]: RouteValue<R> } : RouteValue<R>;

/**
 * A pattern that matches a request URL for the route the way Express does
 * (case-insensitive, an optional trailing slash, any query), capturing each
 * `:param` still encoded, for a handler served in front of Express.
 */
export function pathPattern(def: RouteDef): RegExp {
  const parts = def.path.split('/').map((part) => (part.startsWith(':') ? '([^/?#]*)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('\\/')}\\/?(?:\\?.*)?$`, 'i');
}

/** The route's path with its parameters filled in (encoded). */
export function pathOf<R extends RouteDef>(def: R, params: RouteParams<R>): string {
  const values = params as Readonly<Record<string, string>>;
  return def.path.replace(/:([A-Za-z]+)/g, (_all, name: string) => encodeURIComponent(values[name] ?? ''));
}

/** A query string (with its `?`) of the values that are set, or '' for none. */
export function queryString(query: Readonly<Record<string, unknown>> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
