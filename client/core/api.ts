/**
 * The HTTP API, as results: an answer is either the body or a problem
 * (api.md's `{error: {code, message, field}}`, or a network failure), never
 * an exception. An expired access token is refreshed once and the request
 * repeated.
 *
 * Calls are built from the contract (shared/api/routes.ts): a call names its
 * route and gives its params, body and query; method, path and the answer's
 * type come from the route table. Answers are typed, not re-validated with
 * zod here: the server's tests hold it to the schemas, and parsing every
 * answer (boards, bundles, tallies) in the browser would cost for nothing.
 */
import {
  ERROR_STATUS,
  pathOf,
  queryString,
  ROUTES,
  type ErrorCode,
  type RouteAnswer,
  type RouteBody,
  type RouteDef,
  type RouteName,
  type RouteParams,
  type RouteQuery,
  type Routes,
  type Tokens,
} from '../../shared/api/index';
import { err, ok, type Result } from '../../shared/result';
import { auth, clearAuth, refreshTokens } from './auth';

/** api.md's codes, and the client's own: the server could not be reached, or answered something that is not api.md's. */
export type ApiErrorCode = ErrorCode | 'network_error' | 'unexpected_answer';

export interface ApiProblem {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly field?: string;
}

export type ApiResult<T> = Result<T, ApiProblem>;

/** What a call of route R sends: its path params, its body (where it takes one), its query, and whether to send the token. */
export type CallInput<R extends RouteDef> = (keyof RouteParams<R> extends never ? { readonly params?: undefined } : { readonly params: RouteParams<R> }) &
  (R extends { body: unknown } ? { readonly body: RouteBody<R> } : { readonly body?: undefined }) &
  (R extends { query: unknown } ? { readonly query?: RouteQuery<R> } : { readonly query?: undefined }) & {
    /** Send the bearer token when signed in (default), or never. */
    readonly anonymous?: boolean;
  };

/** The input may be left out where a route has no params and no body. */
type CallArgs<R extends RouteDef> = keyof RouteParams<R> extends never ? (R extends { body: unknown } ? [input: CallInput<R>] : [input?: CallInput<R>]) : [input: CallInput<R>];

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, code);
}

function problemOf(status: number, body: unknown): ApiProblem {
  const e = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  if (e !== undefined && typeof e.code === 'string' && isErrorCode(e.code)) {
    const message = typeof e.message === 'string' ? e.message : e.code;
    return typeof e.field === 'string' ? { status, code: e.code, message, field: e.field } : { status, code: e.code, message };
  }
  return { status, code: status >= 500 ? 'internal_error' : 'unexpected_answer', message: String(status) };
}

async function send(method: string, path: string, body: unknown, token: string | null, anonymous: boolean): Promise<{ status: number; body: unknown } | null> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  try {
    // An anonymous request (a secret round's ballot) omits credentials: browsers keep such requests on
    // connections of their own, so the ballot does not travel on a connection that carried signed-in requests.
    const res = await fetch(path, { method, headers, credentials: anonymous ? 'omit' : 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    return { status: res.status, body: parsed };
  } catch {
    return null;
  }
}

async function refresher(refreshToken: string): Promise<Tokens | 'rejected' | 'unreachable'> {
  const route = ROUTES.refresh;
  const res = await send(route.method, route.path, { refreshToken }, null, false);
  if (res === null || res.status >= 500) return 'unreachable';
  if (res.status !== 200) return 'rejected';
  return res.body as Tokens;
}

const NETWORK: ApiProblem = { status: 0, code: 'network_error', message: 'network_error' };

async function request<T>(method: string, path: string, body: unknown, anonymous: boolean): Promise<ApiResult<T>> {
  let token = anonymous ? null : (auth()?.accessToken ?? null);
  let res = await send(method, path, body, token, anonymous);
  if (res === null) return err(NETWORK);
  if (res.status === 401 && token !== null) {
    const code = problemOf(res.status, res.body).code;
    if (code === 'token_expired') {
      token = await refreshTokens(refresher);
      // Signed out meanwhile: a public read still answers without a token.
      res = await send(method, path, body, token, anonymous);
      if (res === null) return err(NETWORK);
    } else if (code === 'invalid_token' || code === 'session_ended') {
      clearAuth();
      res = await send(method, path, body, null, anonymous);
      if (res === null) return err(NETWORK);
    }
  }
  if (res.status === 403 && problemOf(res.status, res.body).code === 'account_suspended') clearAuth();
  if (res.status >= 200 && res.status < 300) return ok(res.body as T);
  return err(problemOf(res.status, res.body));
}

/** What route N takes as its body, and as its query (before the server's defaults). */
export type BodyOf<N extends RouteName> = RouteBody<Routes[N]>;
export type QueryOf<N extends RouteName> = RouteQuery<Routes[N]>;

/** Calls a route of the contract: `call('round', {params: {id}})`. */
export function call<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): Promise<ApiResult<RouteAnswer<Routes[N]>>> {
  const route: RouteDef = ROUTES[name];
  const input = (args[0] ?? {}) as { params?: Record<string, string>; body?: unknown; query?: Record<string, unknown>; anonymous?: boolean };
  const path = pathOf(route, input.params ?? {}) + queryString(input.query);
  // A POST always carries a JSON body, `{}` where the route takes none (as the server has always been sent).
  const body = input.body ?? (route.method === 'POST' ? {} : undefined);
  return request<RouteAnswer<Routes[N]>>(route.method, path, body, input.anonymous === true);
}

/** A fresh access token for the socket handshake (refreshing an expired one). */
export async function freshAccessToken(): Promise<string | null> {
  return refreshTokens(refresher);
}
