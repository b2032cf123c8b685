/**
 * The socket.io side of api.md: the events each way, their payloads and
 * acknowledgements. Both `new Server<…>` and the client's `Socket<…>` are
 * typed with these maps, and every event name is one of the constants, so
 * an event renamed or reshaped on one end fails to compile on the other.
 */
import type { ErrorCode, TokenProblem } from './errors';
import type { RoundStatus, RoundTally, Turnout } from './rounds';

export const SOCKET_EVENTS = {
  watch: 'round:watch',
  unwatch: 'round:unwatch',
  tally: 'round:tally',
  status: 'round:status',
  error: 'round:error',
} as const;

/** The round state a watcher is pushed, with the committed head it reflects. */
export interface TallyPush {
  roundId: string;
  status: RoundStatus;
  turnout: Turnout;
  tally?: RoundTally;
  head: string;
  at: string;
}

export interface StatusPush {
  roundId: string;
  status: RoundStatus;
}

/** Why a `round:watch` was refused. */
export type WatchProblem = 'invalid_input' | 'not_found' | 'unauthenticated' | 'forbidden' | TokenProblem;

export interface WatchRefusal {
  /** null when the payload named no round. */
  roundId: string | null;
  code: WatchProblem;
  message: string;
}

export interface RoundRef {
  roundId: string;
}

/** The acknowledgement of `round:watch` and `round:unwatch`. */
export type WatchAnswer = { ok: true } | { ok: false; error: { code: WatchProblem | Extract<ErrorCode, 'internal_error'>; message: string } };

export interface ClientToServerEvents {
  // The payload is `unknown` on the server's side until checked; clients send a RoundRef.
  [SOCKET_EVENTS.watch]: (payload: RoundRef, ack?: (answer: WatchAnswer) => void) => void;
  [SOCKET_EVENTS.unwatch]: (payload: RoundRef, ack?: (answer: WatchAnswer) => void) => void;
}

export interface ServerToClientEvents {
  [SOCKET_EVENTS.tally]: (push: TallyPush) => void;
  [SOCKET_EVENTS.status]: (push: StatusPush) => void;
  [SOCKET_EVENTS.error]: (refusal: WatchRefusal) => void;
}

/** One server process: nothing passes between servers. */
export type InterServerEvents = Record<never, never>;
