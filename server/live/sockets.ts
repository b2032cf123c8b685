import type { Logger } from 'pino';
import type { Server as SocketServer, Socket } from 'socket.io';
import {
  SOCKET_EVENTS,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type TallyPush,
  type WatchProblem,
} from '../../shared/api/socket';
import { isId } from '../../shared/protocol/ids';
import type { Clock } from '../clock';
import { TOKEN_MESSAGES, type MemberResolver, type TokenProblem } from '../http/auth';
import { isModerator, type Member } from '../members/member';
import type { RoundStatus } from '../rounds/model';
import type { RoundService } from '../rounds/service';
import type { IntakeActivity } from './intake-activity';
import type { OpenRounds } from './open-rounds';
import { PIECES, PushCycles, SHARDS, sendInPieces } from './push-cycles';
import type { LiveTallies } from './tallies';

// The pushes' shapes and the event names are the contract's (shared/api/socket.ts).
export type { TallyPush } from '../../shared/api/socket';

export interface LiveDeps {
  /** Rounds as anyone reads them, and their events: live never reads the services' ledgers. */
  readonly rounds: Pick<RoundService, 'get' | 'view' | 'on'>;
  /** The open rounds' committed state, kept from the round events. */
  readonly openRounds: OpenRounds;
  readonly tallies: LiveTallies;
  readonly resolveMember: MemberResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The ballots in progress: pushes give way to them (see sendInPieces). */
  readonly intake: IntakeActivity;
}

export interface Live {
  /** Asks for a push of this round's state to its watchers, coalesced. */
  schedule(roundId: string): void;
  /** Closes every socket of this member: they lost rights (suspended, demoted) that a socket may have used. */
  disconnectMember(memberId: string): void;
  /** Closes every socket of this login: it ended (signed out, or its refresh chain was revoked). */
  disconnectLogin(loginId: string): void;
  stop(): void;
}

export interface SocketData {
  /** The access token of the handshake, read again on every round:watch; null for an anonymous socket. */
  token: string | null;
  /** The member as last read from that token. */
  member: Member | null;
  /** The login (refresh chain) that token belongs to; null for an anonymous socket. */
  loginId: string | null;
}

/** The socket.io server typed with the contract's event maps (api.md "Socket.io"). */
export type LiveServer = SocketServer<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const WATCH_MESSAGES: Record<WatchProblem, string> = {
  ...TOKEN_MESSAGES,
  invalid_input: 'round:watch takes {roundId}',
  not_found: 'no such round',
  unauthenticated: 'sign in to follow a round before it is published',
  forbidden: 'only active members follow rounds before they are published',
};

const room = (roundId: string) => `round:${roundId}`;

/** Every signed-in socket of a member, so that losing rights reaches all of them. */
const memberRoom = (memberId: string) => `member:${memberId}`;
const loginRoom = (loginId: string) => `login:${loginId}`;

/** The round whose room this is (not a shard's or a piece's), if it is one. */
function roundOfRoom(name: string): string | undefined {
  const id = name.startsWith('round:') ? name.slice('round:'.length) : '';
  return isId(id) ? id : undefined;
}

const shardRoom = (roundId: string, shard: number) => `round:${roundId}:${shard}`;

const pieceRoom = (roundId: string, shard: number, piece: number) => `round:${roundId}:${shard}:${piece}`;

class SocketAuthError extends Error {
  readonly data: { code: TokenProblem | 'invalid_input'; message: string };
  constructor(code: TokenProblem | 'invalid_input', message: string) {
    super(code);
    this.data = { code, message };
  }
}

/**
 * The socket.io side of api.md: one room per round, an immediate state on
 * `round:watch`, and tally pushes coalesced per round. Everything pushed is
 * committed: tallies move only on committed batches and carry the committed
 * head they reflect.
 */
export function attachLive(io: LiveServer, deps: LiveDeps): Live {
  const { rounds, openRounds, tallies, clock, logger, intake } = deps;

  io.use((socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.['token'];
    const data = socket.data;
    if (token === undefined || token === null || token === '') {
      data.token = null;
      data.member = null;
      data.loginId = null;
      next();
      return;
    }
    if (typeof token !== 'string') {
      next(new SocketAuthError('invalid_input', 'auth.token must be an access token string'));
      return;
    }
    deps.resolveMember(token, clock.now()).then(
      (member) => {
        if (!member.ok) {
          next(new SocketAuthError(member.error, TOKEN_MESSAGES[member.error]));
          return;
        }
        data.token = token;
        data.member = member.value.member;
        data.loginId = member.value.loginId;
        next();
      },
      (e: unknown) => next(e instanceof Error ? e : new Error('authentication failed')),
    );
  });

  /**
   * The member behind the socket as they are now: the handshake's token read
   * again, so an expired token, a suspension or a lower role counts from the
   * next round:watch on (item 3 of issue 13), not from the next connection.
   */
  async function currentMember(data: SocketData): Promise<{ member: Member | null } | { problem: TokenProblem }> {
    if (data.token === null) return { member: null };
    const member = await deps.resolveMember(data.token, clock.now());
    if (!member.ok) return { problem: member.error };
    data.member = member.value.member;
    return { member: member.value.member };
  }

  /** Who may watch a round in each status (api.md: without a token, published rounds only). */
  function mayWatch(member: Member | null, status: RoundStatus): WatchProblem | null {
    switch (status) {
      case 'draft':
        return member !== null && member.status === 'active' && isModerator(member.role) ? null : 'not_found';
      case 'open':
      case 'closed':
        if (member === null) return 'unauthenticated';
        return member.status === 'active' ? null : 'forbidden';
      case 'published':
        return null;
    }
  }

  async function stateOf(roundId: string): Promise<TallyPush | undefined> {
    const open = openRounds.of(roundId);
    if (open !== undefined) {
      const sealed = open.definition.sealed;
      if (!sealed) await tallies.ready(roundId, open.definition);
      // From here on synchronous: the tally and the head are of the same committed state.
      const head = open.head;
      const tally = sealed ? undefined : tallies.current(roundId, head);
      const push: TallyPush = {
        roundId,
        status: 'open',
        turnout: { ...open.turnout, electorate: open.electorate },
        head,
        at: clock.now().toISOString(),
      };
      if (tally !== undefined) push.tally = tally;
      return push;
    }
    const view = await rounds.view(roundId, undefined);
    if (!view.ok) return undefined;
    const v = view.value;
    const push: TallyPush = { roundId, status: v.round.status, turnout: v.turnout, head: v.head ?? '', at: clock.now().toISOString() };
    if (v.tally !== undefined) push.tally = v.tally;
    return push;
  }

  const cycles = new PushCycles(
    {
      watched: (roundId, shard) => (io.sockets.adapter.rooms.get(shardRoom(roundId, shard))?.size ?? 0) > 0,
      send: async (roundId, shard) => {
        const state = await stateOf(roundId);
        if (state === undefined) return;
        // Pushes go to rooms, not to socket ids, so that socket.io's connection state recovery
        // replays them to a watcher whose connection dropped meanwhile.
        const rooms = io.sockets.adapter.rooms;
        const pieces = Array.from({ length: PIECES }, (_, piece) => pieceRoom(roundId, shard, piece)).filter((r) => (rooms.get(r)?.size ?? 0) > 0);
        await sendInPieces(
          pieces,
          (maxWaitMs) => intake.quiet(maxWaitMs),
          (piece) => io.to(piece).emit(SOCKET_EVENTS.tally, state),
        );
      },
    },
    (roundId, e) => logger.error({ err: e, round: roundId }, 'tally push failed'),
  );
  const schedule = (roundId: string) => cycles.changed(roundId);

  rounds.on({
    committed: (roundId) => schedule(roundId),
    status: (roundId, { status }) => {
      io.to(room(roundId)).emit(SOCKET_EVENTS.status, { roundId, status });
      schedule(roundId);
    },
  });

  /** Watchers who joined so far: the next one goes to the next shard, and to the next piece of it once round. */
  let joined = 0;

  /** Leaves the round's room with its shard's and piece's. */
  async function leaveRound(socket: LiveSocket, roundId: string): Promise<void> {
    const ofRound = `${room(roundId)}:`;
    for (const r of [...socket.rooms]) if (r === room(roundId) || r.startsWith(ofRound)) await socket.leave(r);
  }

  /**
   * socket.io gave a watcher whose connection dropped its rooms back (connection state recovery).
   * The member was read afresh by the handshake: a round it may no longer see is left. It may have
   * missed the last push of a round (with nobody else in its shard, none went out), so each round it
   * still watches sends it the state as it is now.
   */
  async function recover(socket: LiveSocket, member: Member | null, loginId: string | null): Promise<void> {
    for (const r of [...socket.rooms]) {
      if (r.startsWith('member:') && r !== (member === null ? '' : memberRoom(member.id))) await socket.leave(r);
      if (r.startsWith('login:') && r !== (loginId === null ? '' : loginRoom(loginId))) await socket.leave(r);
      const roundId = roundOfRoom(r);
      if (roundId === undefined) continue;
      const round = await rounds.get(roundId);
      if (round === undefined || mayWatch(member, round.status) !== null) {
        await leaveRound(socket, roundId);
        continue;
      }
      const state = await stateOf(roundId);
      if (state !== undefined) socket.emit(SOCKET_EVENTS.tally, state);
    }
  }

  io.on('connection', (socket) => {
    const data = socket.data;
    if (data.member !== null) void socket.join(memberRoom(data.member.id));
    if (data.loginId !== null) void socket.join(loginRoom(data.loginId));
    if (socket.recovered) recover(socket, data.member, data.loginId).catch((e: unknown) => logger.error({ err: e }, 'state after a recovered connection failed'));
    const answer = (ack: unknown, body: Record<string, unknown>) => {
      if (typeof ack === 'function') (ack as (b: unknown) => void)(body);
    };
    const refuse = (roundId: string | null, code: WatchProblem, message: string, ack: unknown) => {
      socket.emit(SOCKET_EVENTS.error, { roundId, code, message });
      answer(ack, { ok: false, error: { code, message } });
    };

    // The payload is checked here, not trusted: typed `unknown` on this side of the contract.
    socket.on(SOCKET_EVENTS.watch, async (payload: unknown, ack?: unknown) => {
      const roundId = (payload as { roundId?: unknown } | null)?.roundId;
      if (typeof roundId !== 'string' || !isId(roundId)) {
        refuse(null, 'invalid_input', 'round:watch takes {roundId}', ack);
        return;
      }
      try {
        const now = await currentMember(data);
        if ('problem' in now) {
          refuse(roundId, now.problem, WATCH_MESSAGES[now.problem], ack);
          return;
        }
        const round = await rounds.get(roundId);
        const problem = round === undefined ? 'not_found' : mayWatch(now.member, round.status);
        if (problem !== null) {
          refuse(roundId, problem, WATCH_MESSAGES[problem], ack);
          return;
        }
        // Watching again (a client re-watches on every reconnect, also when socket.io recovered its
        // rooms) keeps the socket's shard: in two shards it would get twice the pushes. The round's room is
        // joined and left with its shard and piece.
        // Disconnected meanwhile (its member lost rights while this watch was being checked): join nothing.
        if (!socket.connected) return;
        if (!socket.rooms.has(room(roundId))) {
          joined += 1;
          const shard = joined % SHARDS;
          await socket.join([room(roundId), shardRoom(roundId, shard), pieceRoom(roundId, shard, Math.floor(joined / SHARDS) % PIECES)]);
        }
        const state = await stateOf(roundId);
        if (state !== undefined) socket.emit(SOCKET_EVENTS.tally, state);
        answer(ack, { ok: true });
      } catch (e) {
        logger.error({ err: e, round: roundId }, 'round:watch failed');
        answer(ack, { ok: false, error: { code: 'internal_error', message: 'something went wrong on our side' } });
      }
    });

    socket.on(SOCKET_EVENTS.unwatch, async (payload: unknown, ack?: unknown) => {
      const roundId = (payload as { roundId?: unknown } | null)?.roundId;
      if (typeof roundId === 'string') await leaveRound(socket, roundId);
      answer(ack, { ok: true });
    });
  });

  return {
    schedule,
    // Not recoverable (a server-side disconnect): the client connects anew and its handshake reads the member again.
    disconnectMember: (memberId) => io.in(memberRoom(memberId)).disconnectSockets(true),
    disconnectLogin: (loginId) => io.in(loginRoom(loginId)).disconnectSockets(true),
    stop: () => cycles.stop(),
  };
}
