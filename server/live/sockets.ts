import type { Logger } from 'pino';
import type { Server as SocketServer, Socket } from 'socket.io';
import type { LiveTally } from '../../shared/tally/live';
import type { CountResult } from '../../shared/counting/index';
import { ID_PATTERN } from '../ids';
import type { Clock } from '../clock';
import { TOKEN_MESSAGES, type MemberResolver, type TokenProblem } from '../http/auth';
import { isModerator, type Member } from '../members/member';
import type { RoundStatus } from '../rounds/model';
import type { RoundService } from '../rounds/service';
import type { IntakeActivity } from './intake-activity';
import { PushCycles, SHARDS, sendInPieces } from './push-cycles';

export interface TallyPush {
  roundId: string;
  status: RoundStatus;
  turnout: { voters: number; ballots: number; electorate: number | null };
  tally?: LiveTally | CountResult;
  head: string;
  at: string;
}

export interface LiveDeps {
  readonly rounds: RoundService;
  readonly resolveMember: MemberResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The ballots in progress: pushes give way to them (see sendInPieces). */
  readonly intake: IntakeActivity;
}

export interface Live {
  /** Asks for a push of this round's state to its watchers, coalesced. */
  schedule(roundId: string): void;
  stop(): void;
}

interface SocketData {
  member: Member | null;
}

type WatchProblem = 'invalid_input' | 'not_found' | 'unauthenticated' | 'forbidden';

const room = (roundId: string) => `round:${roundId}`;

const shardRoom = (roundId: string, shard: number) => `round:${roundId}:${shard}`;

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
export function attachLive(io: SocketServer, deps: LiveDeps): Live {
  const { rounds, clock, logger, intake } = deps;

  io.use((socket: Socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.['token'];
    const data = socket.data as SocketData;
    if (token === undefined || token === null || token === '') {
      data.member = null;
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
        data.member = member.value;
        next();
      },
      (e: unknown) => next(e instanceof Error ? e : new Error('authentication failed')),
    );
  });

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
    const ledger = rounds.openLedger(roundId);
    if (ledger !== undefined) {
      const sealed = ledger.definition.sealed;
      if (!sealed) await rounds.tallies.ready(roundId, ledger.definition);
      // From here on synchronous: the tally and the head are of the same committed state.
      const head = ledger.committedHead;
      const tally = sealed ? undefined : rounds.tallies.current(roundId, head);
      const push: TallyPush = {
        roundId,
        status: 'open',
        turnout: { ...ledger.turnout, electorate: ledger.electorate },
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
        const name = shardRoom(roundId, shard);
        const watchers = io.sockets.adapter.rooms.get(name);
        if (state === undefined || watchers === undefined) return;
        // Each socket is in a room of its own id; one that stops watching while the pieces go out gets no more.
        await sendInPieces(
          [...watchers],
          (maxWaitMs) => intake.quiet(maxWaitMs),
          (piece) => {
            const still = piece.filter((id) => io.sockets.adapter.rooms.get(name)?.has(id) === true);
            if (still.length > 0) io.to(still).emit('round:tally', state);
          },
        );
      },
    },
    (roundId, e) => logger.error({ err: e, round: roundId }, 'tally push failed'),
  );
  const schedule = (roundId: string) => cycles.changed(roundId);

  rounds.on({
    committed: schedule,
    status: (roundId, status) => {
      io.to(room(roundId)).emit('round:status', { roundId, status });
      schedule(roundId);
    },
  });

  let nextShard = 0;

  io.on('connection', (socket) => {
    const data = socket.data as SocketData;
    const answer = (ack: unknown, body: Record<string, unknown>) => {
      if (typeof ack === 'function') (ack as (b: unknown) => void)(body);
    };
    const refuse = (roundId: string | null, code: WatchProblem, message: string, ack: unknown) => {
      socket.emit('round:error', { roundId, code, message });
      answer(ack, { ok: false, error: { code, message } });
    };

    socket.on('round:watch', async (payload: unknown, ack?: unknown) => {
      const roundId = (payload as { roundId?: unknown } | null)?.roundId;
      if (typeof roundId !== 'string' || !ID_PATTERN.test(roundId)) {
        refuse(null, 'invalid_input', 'round:watch takes {roundId}', ack);
        return;
      }
      try {
        const round = await rounds.get(roundId);
        const problem = round === undefined ? 'not_found' : mayWatch(data.member, round.status);
        if (problem !== null) {
          const messages: Record<WatchProblem, string> = {
            invalid_input: 'round:watch takes {roundId}',
            not_found: 'no such round',
            unauthenticated: 'sign in to follow a round before it is published',
            forbidden: 'only active members follow rounds before they are published',
          };
          refuse(roundId, problem, messages[problem], ack);
          return;
        }
        nextShard = (nextShard + 1) % SHARDS;
        await socket.join([room(roundId), shardRoom(roundId, nextShard)]);
        const state = await stateOf(roundId);
        if (state !== undefined) socket.emit('round:tally', state);
        answer(ack, { ok: true });
      } catch (e) {
        logger.error({ err: e, round: roundId }, 'round:watch failed');
        answer(ack, { ok: false, error: { code: 'internal_error', message: 'something went wrong on our side' } });
      }
    });

    socket.on('round:unwatch', async (payload: unknown, ack?: unknown) => {
      const roundId = (payload as { roundId?: unknown } | null)?.roundId;
      if (typeof roundId === 'string') {
        for (const r of [room(roundId), ...Array.from({ length: SHARDS }, (_, shard) => shardRoom(roundId, shard))]) await socket.leave(r);
      }
      answer(ack, { ok: true });
    });
  });

  return {
    schedule,
    stop: () => cycles.stop(),
  };
}
