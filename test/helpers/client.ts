/**
 * A small typed client for the HTTP API, as outside scripts would use it,
 * built from the contract (shared/api/routes.ts): `call('round', {params:
 * {id}})` sends the route's method and path and types the answer. `request`
 * (and `get`/`post`/`delete`) stay for what the contract does not allow:
 * bad input, raw bodies, odd headers.
 */
import { z } from 'zod';
import {
  ApiErrorBodySchema,
  pathOf,
  queryString,
  ROUTES,
  type ApiErrorBody,
  type Member,
  type RouteAnswer,
  type RouteBody,
  type RouteDef,
  type RouteName,
  type RouteParams,
  type RouteQuery,
  type Routes,
  type Tokens,
} from '../../shared/api/index';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export type ErrorBody = ApiErrorBody;
export type MemberBody = Member;
export type LoginBody = Tokens;

/** What a call of route R sends; `token` is the bearer token, if any. */
export type CallInput<R extends RouteDef> = (keyof RouteParams<R> extends never ? { params?: undefined } : { params: RouteParams<R> }) &
  (R extends { body: unknown } ? { body: RouteBody<R> } : { body?: undefined }) &
  (R extends { query: unknown } ? { query?: RouteQuery<R> } : { query?: undefined }) & { token?: string };

type CallArgs<R extends RouteDef> = keyof RouteParams<R> extends never ? (R extends { body: unknown } ? [input: CallInput<R>] : [input?: CallInput<R>]) : [input: CallInput<R>];

/** A route's answer: its body on success, api.md's error otherwise (check `status`). */
export type CallResponse<N extends RouteName> = ApiResponse<RouteAnswer<Routes[N]> | ErrorBody>;

export class ApiClient {
  constructor(readonly url: string) {}

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: unknown; token?: string; rawBody?: string; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const res = await fetch(this.url + path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text so the test can show it.
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  /**
   * Calls a route of the contract. A success is checked against the route's
   * response schema (wrapped under its key), so every test that goes through
   * here also holds the server to the contract the browser relies on.
   */
  async call<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): Promise<CallResponse<N>> {
    const route: RouteDef = ROUTES[name];
    const input = (args[0] ?? {}) as { params?: Record<string, string>; body?: unknown; query?: Record<string, unknown>; token?: string };
    const path = pathOf(route, input.params ?? {}) + queryString(input.query);
    const res = await this.request<RouteAnswer<Routes[N]> | ErrorBody>(route.method, path, {
      ...(input.body === undefined ? {} : { body: input.body }),
      ...(input.token === undefined ? {} : { token: input.token }),
    });
    if (res.status === route.status) {
      const schema = route.key === undefined ? route.response : z.object({ [route.key]: route.response });
      const checked = schema.safeParse(res.body);
      if (!checked.success) throw new Error(`${name} answered outside the contract: ${checked.error.message}\n${JSON.stringify(res.body)}`);
    } else {
      const checked = ApiErrorBodySchema.safeParse(res.body);
      if (!checked.success) throw new Error(`${name} answered ${res.status} without api.md's error body: ${JSON.stringify(res.body)}`);
    }
    return res;
  }

  /** Calls a route that must succeed (its contract status), answering its body; throws with the answer otherwise. */
  async ok<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): Promise<RouteAnswer<Routes[N]>> {
    const res = await this.call(name, ...args);
    if (res.status !== ROUTES[name].status) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as RouteAnswer<Routes[N]>;
  }

  get<T = Record<string, unknown>>(path: string, token?: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, token === undefined ? {} : { token });
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, token?: string): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { ...(body === undefined ? {} : { body }), ...(token === undefined ? {} : { token }) });
  }

  delete<T = Record<string, unknown>>(path: string, token?: string): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, token === undefined ? {} : { token });
  }

  async login(email: string, password: string): Promise<LoginBody> {
    const res = await this.call('login', { body: { email, password } });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as LoginBody;
  }

  /** Registers, approves with the moderator's token, and signs in: an active member. */
  async activeMember(moderatorToken: string, email: string, name = 'Lid'): Promise<LoginBody> {
    const password = 'member-password-1';
    const reg = await this.call('register', { body: { email, name, password } });
    if (reg.status !== 201 || !('member' in reg.body)) throw new Error(`register ${email}: ${reg.status} ${JSON.stringify(reg.body)}`);
    const ok = await this.call('approve', { params: { id: reg.body.member.id }, token: moderatorToken });
    if (ok.status !== 200) throw new Error(`approve ${email}: ${ok.status} ${JSON.stringify(ok.body)}`);
    return this.login(email, password);
  }
}
