/** The signed-in member as the server sees them now, with their registered device keys. */
import type { Me } from '../domain/types';
import { get, post, type ApiResult } from './api';
import { auth, clearAuth, setTokens, updateMember } from './auth';
import type { Tokens } from '../domain/types';

export async function loadMe(): Promise<ApiResult<Me> | null> {
  if (auth() === null) return null;
  const me = await get<Me>('/api/me');
  if (me.ok) updateMember(me.value.member);
  return me;
}

export async function signIn(email: string, password: string): Promise<ApiResult<Tokens>> {
  const res = await post<Tokens>('/api/auth/login', { email, password }, { anonymous: true });
  if (res.ok) setTokens(res.value);
  return res;
}

/** Ends this login on the server too (its refresh chain stops working), then forgets the tokens. */
export async function signOut(): Promise<void> {
  const refreshToken = auth()?.refreshToken;
  clearAuth();
  if (refreshToken !== undefined) await post<null>('/api/auth/logout', { refreshToken }, { anonymous: true });
}
