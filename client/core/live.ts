/**
 * Live tallies over socket.io: one connection for the page, rounds watched
 * and unwatched as views come and go, watched again after a reconnect. The
 * handshake always sends the current access token; an expired one is
 * refreshed and the connection tried again. The server reads the token again
 * on every round:watch, and closes a member's sockets when they lose rights:
 * both are answered with a new handshake on a fresh token.
 */
import { io, type Socket } from 'socket.io-client';
import { SOCKET_EVENTS, type ClientToServerEvents, type ServerToClientEvents, type WatchAnswer, type WatchRefusal } from '../../shared/api/socket';
import type { RoundStatus, TallyPush } from '../domain/types';
import { freshAccessToken } from './api';
import { auth, onAuthChange } from './auth';

export interface Watcher {
  readonly onTally: (push: TallyPush) => void;
  readonly onStatus: (status: RoundStatus) => void;
  readonly onProblem: (code: string) => void;
  /** Connected or not: the view can say the numbers may be behind. */
  readonly onConnection?: (connected: boolean) => void;
}

/** The contract's event maps, from this end: what the server sends, what it is sent. */
type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | null = null;
const watchers = new Map<string, Set<Watcher>>();

let renewing = false;

/** Connects again with the access token as it is now (refreshed; none once the login is over); 'connect' watches again. */
function renew(s: LiveSocket): void {
  if (renewing) return;
  renewing = true;
  void freshAccessToken().then(() => {
    renewing = false;
    s.disconnect();
    s.connect();
  });
}

function watchOnServer(s: LiveSocket, roundId: string): void {
  s.emit(SOCKET_EVENTS.watch, { roundId }, (answer: WatchAnswer) => {
    if (answer.ok) return;
    if (answer.error.code === 'token_expired') renew(s);
    else for (const w of watchers.get(roundId) ?? []) w.onProblem(answer.error.code);
  });
}

function connection(): LiveSocket {
  if (socket !== null) return socket;
  const s: LiveSocket = io({
    auth: (cb) => {
      const token = auth()?.accessToken;
      cb(token === undefined ? {} : { token });
    },
    transports: ['websocket', 'polling'],
  });
  s.on('connect', () => {
    for (const roundId of watchers.keys()) watchOnServer(s, roundId);
    for (const set of watchers.values()) for (const w of set) w.onConnection?.(true);
  });
  s.on('disconnect', (reason) => {
    for (const set of watchers.values()) for (const w of set) w.onConnection?.(false);
    // The server closed it (the member was suspended or lost a role): socket.io does not reconnect by itself.
    if (reason === 'io server disconnect') renew(s);
  });
  s.on('connect_error', (e: Error) => {
    for (const set of watchers.values()) for (const w of set) w.onConnection?.(false);
    if (e.message === 'token_expired') {
      void freshAccessToken().then(() => s.connect());
    } else if (e.message === 'invalid_token' || e.message === 'session_ended' || e.message === 'account_suspended') {
      // Watch what an anonymous visitor may: published rounds.
      setTimeout(() => s.connect(), 1000);
    }
  });
  s.on(SOCKET_EVENTS.tally, (push: TallyPush) => {
    for (const w of watchers.get(push.roundId) ?? []) w.onTally(push);
  });
  s.on(SOCKET_EVENTS.status, (p) => {
    for (const w of watchers.get(p.roundId) ?? []) w.onStatus(p.status);
  });
  s.on(SOCKET_EVENTS.error, (p: WatchRefusal) => {
    // Answered by a new handshake (see watchOnServer).
    if (p.code === 'token_expired') return;
    if (p.roundId !== null) for (const w of watchers.get(p.roundId) ?? []) w.onProblem(p.code);
  });
  onAuthChange(() => {
    // A new member (or none): the server must see the new token.
    s.disconnect();
    s.connect();
  });
  socket = s;
  return s;
}

/** Follows a round's tally; answers the function that stops following. */
export function watchRound(roundId: string, watcher: Watcher): () => void {
  const s = connection();
  let set = watchers.get(roundId);
  if (set === undefined) watchers.set(roundId, (set = new Set()));
  set.add(watcher);
  // Each watcher gets the round's state at once; unconnected, 'connect' asks for it.
  if (s.connected) watchOnServer(s, roundId);
  return () => {
    const current = watchers.get(roundId);
    current?.delete(watcher);
    if (current !== undefined && current.size === 0) {
      watchers.delete(roundId);
      if (s.connected) s.emit(SOCKET_EVENTS.unwatch, { roundId });
    }
  };
}
