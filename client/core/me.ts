/** The signed-in member as the server sees them now, with their registered device keys. */
import type { Me } from '../domain/types';
import { call, type ApiResult } from './api';
import { auth, clearAuth, setTokens, updateMember } from './auth';
import type { Tokens } from '../domain/types';

export async function loadMe(): Promise<ApiResult<Me> | null> {
  if (auth() === null) return null;
  const me = await call('me');
  if (me.ok) updateMember(me.value.member);
  return me;
}

export async function signIn(email: string, password: string): Promise<ApiResult<Tokens>> {
  const res = await call('login', { body: { email, password }, anonymous: true });
  if (res.ok) setTokens(res.value);
  return res;
}

/** Ends this login on the server too (its refresh chain stops working), then forgets the tokens. */
export async function signOut(): Promise<void> {
  const refreshToken = auth()?.refreshToken;
  clearAuth();
  if (refreshToken !== undefined) await call('logout', { body: { refreshToken }, anonymous: true });
}
