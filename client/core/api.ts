/**
 * The HTTP API, as results: an answer is either the body or a problem
 * (api.md's `{error: {code, message, field}}`, or a network failure), never
 * an exception. An expired access token is refreshed once and the request
 * repeated.
 */
import { err, ok, type Result } from '../../shared/result';
import type { Tokens } from '../domain/types';
import { auth, clearAuth, refreshTokens } from './auth';

export interface ApiProblem {
  readonly status: number;
  /** api.md's error code, or `network_error` when the server could not be reached. */
  readonly code: string;
  readonly message: string;
  readonly field?: string;
}

export type ApiResult<T> = Result<T, ApiProblem>;

export interface RequestOptions {
  readonly body?: unknown;
  /** Send the bearer token when signed in (default), or never. */
  readonly anonymous?: boolean;
}

function problemOf(status: number, body: unknown): ApiProblem {
  const e = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  if (e !== undefined && typeof e.code === 'string') {
    const message = typeof e.message === 'string' ? e.message : e.code;
    return typeof e.field === 'string' ? { status, code: e.code, message, field: e.field } : { status, code: e.code, message };
  }
  return { status, code: status >= 500 ? 'internal_error' : 'unexpected_answer', message: String(status) };
}

async function send(method: string, path: string, body: unknown, token: string | null): Promise<{ status: number; body: unknown } | null> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  try {
    const res = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
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
  const res = await send('POST', '/api/auth/refresh', { refreshToken }, null);
  if (res === null || res.status >= 500) return 'unreachable';
  if (res.status !== 200) return 'rejected';
  return res.body as Tokens;
}

const NETWORK: ApiProblem = { status: 0, code: 'network_error', message: 'network_error' };

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResult<T>> {
  let token = options.anonymous === true ? null : (auth()?.accessToken ?? null);
  let res = await send(method, path, options.body, token);
  if (res === null) return err(NETWORK);
  if (res.status === 401 && token !== null) {
    const code = problemOf(res.status, res.body).code;
    if (code === 'token_expired') {
      token = await refreshTokens(refresher);
      // Signed out meanwhile: a public read still answers without a token.
      res = await send(method, path, options.body, token);
      if (res === null) return err(NETWORK);
    } else if (code === 'invalid_token' || code === 'session_ended') {
      clearAuth();
      res = await send(method, path, options.body, null);
      if (res === null) return err(NETWORK);
    }
  }
  if (res.status === 403 && problemOf(res.status, res.body).code === 'account_suspended') clearAuth();
  if (res.status >= 200 && res.status < 300) return ok(res.body as T);
  return err(problemOf(res.status, res.body));
}

export const get = <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options);
export const post = <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body: body ?? {} });

/** A fresh access token for the socket handshake (refreshing an expired one). */
export async function freshAccessToken(): Promise<string | null> {
  return refreshTokens(refresher);
}
