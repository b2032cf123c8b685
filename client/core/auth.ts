/**
 * Who is signed in, and their tokens.
 *
 * Tokens live in localStorage, not sessionStorage: members vote on phones,
 * where a browser tab is closed and reopened all the time, and being signed
 * out in the middle of a live session would cost them their vote. The risk
 * localStorage carries (script on the page could read it) is what the CSP
 * (no inline or foreign script) and the DOM building without innerHTML keep
 * out; the access token lives 15 minutes, and a refresh token works once, so
 * a copied one is noticed by the server and ends the whole login.
 *
 * Two tabs must not spend the same refresh token: refreshing holds a Web Lock
 * and rereads storage inside it, so the second tab uses the pair the first
 * one just got.
 */
import type { Member, Tokens } from '../domain/types';

const STORAGE_KEY = 'stemkring.auth';

export interface AuthState {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly member: Member;
}

let state: AuthState | null = null;
const listeners = new Set<() => void>();

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function read(): AuthState | null {
  const raw = storage()?.getItem(STORAGE_KEY);
  if (raw === null || raw === undefined) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<AuthState>;
    if (typeof parsed.accessToken === 'string' && typeof parsed.refreshToken === 'string' && typeof parsed.member === 'object' && parsed.member !== null) {
      return parsed as AuthState;
    }
  } catch {
    // A damaged entry is simply no login.
  }
  return null;
}

function write(next: AuthState | null): void {
  const changedMember = state?.member.id !== next?.member.id || state?.member.status !== next?.member.status || state?.member.role !== next?.member.role;
  state = next;
  try {
    if (next === null) storage()?.removeItem(STORAGE_KEY);
    else storage()?.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Private modes may refuse storage: the login then lasts as long as the page.
  }
  if (changedMember) for (const l of listeners) l();
}

export function loadAuth(): AuthState | null {
  state = read();
  window.addEventListener('storage', (e) => {
    if (e.key !== STORAGE_KEY) return;
    const next = read();
    const changed = next?.member.id !== state?.member.id;
    state = next;
    if (changed) for (const l of listeners) l();
  });
  return state;
}

export function auth(): AuthState | null {
  return state;
}

export function onAuthChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setTokens(tokens: Tokens): void {
  write({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, member: tokens.member });
}

/** The member as the server now sees them (approval, role). */
export function updateMember(member: Member): void {
  if (state === null) return;
  write({ ...state, member });
}

export function clearAuth(): void {
  write(null);
}

type Refresher = (refreshToken: string) => Promise<Tokens | 'rejected' | 'unreachable'>;

/**
 * Gets a new token pair once, however many requests ask at the same time, in
 * this tab and across tabs. Answers the new access token, or null when the
 * login is over (the member must sign in again).
 */
let inFlight: Promise<string | null> | null = null;
export function refreshTokens(refresher: Refresher): Promise<string | null> {
  if (inFlight !== null) return inFlight;
  const spent = state?.refreshToken;
  const run = async (): Promise<string | null> => {
    // Another tab may have refreshed while we waited for the lock.
    const stored = read();
    if (stored !== null && stored.refreshToken !== spent) {
      state = stored;
      return stored.accessToken;
    }
    if (stored === null) {
      write(null);
      return null;
    }
    const answer = await refresher(stored.refreshToken);
    if (answer === 'unreachable') return null;
    if (answer === 'rejected') {
      write(null);
      return null;
    }
    setTokens(answer);
    return answer.accessToken;
  };
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  const viaLock = async (l: LockManager): Promise<string | null> => await l.request('stemkring-refresh', run);
  const started = locks === undefined ? run() : viaLock(locks);
  const settled = started.finally(() => {
    inFlight = null;
  });
  inFlight = settled;
  return settled;
}
