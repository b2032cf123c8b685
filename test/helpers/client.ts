/** A small typed client for the HTTP API, as outside scripts would use it. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export interface MemberBody {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
}

export interface LoginBody {
  accessToken: string;
  refreshToken: string;
  member: MemberBody;
}

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
    const res = await this.post<LoginBody>('/api/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Registers, approves with the moderator's token, and signs in: an active member. */
  async activeMember(moderatorToken: string, email: string, name = 'Lid'): Promise<LoginBody> {
    const password = 'member-password-1';
    const reg = await this.post<{ member: MemberBody }>('/api/auth/register', { email, name, password });
    if (reg.status !== 201) throw new Error(`register ${email}: ${reg.status} ${JSON.stringify(reg.body)}`);
    const ok = await this.post(`/api/members/${reg.body.member.id}/approve`, undefined, moderatorToken);
    if (ok.status !== 200) throw new Error(`approve ${email}: ${ok.status} ${JSON.stringify(ok.body)}`);
    return this.login(email, password);
  }
}
