/**
 * The API's shapes, as the client reads them. Imported as types from the
 * server's own modules (erased by the bundler, so no server code reaches the
 * browser) so that the two cannot drift apart.
 */
import type { Member, Role, MemberStatus } from '../../server/members/member';
import type { DeviceKey, Tokens } from '../../server/members/service';
import type { Proposal, Question, Session } from '../../server/sessions/model';
import type { SessionDetail } from '../../server/sessions/service';
import type { Round, RoundStatus } from '../../server/rounds/model';
import type { RoundView, Turnout } from '../../server/rounds/service';
import type { TallyPush } from '../../server/live/sockets';
import type { AuditEntry } from '../../server/audit/audit';
import type { ErrorCode } from '../../server/failure';

export type {
  AuditEntry,
  DeviceKey,
  ErrorCode,
  Member,
  MemberStatus,
  Proposal,
  Question,
  Role,
  Round,
  RoundStatus,
  RoundView,
  Session,
  SessionDetail,
  TallyPush,
  Tokens,
  Turnout,
};

export type SessionSummary = Session & { questionCount: number };
export type QuestionDetail = SessionDetail['questions'][number];

export interface Me {
  member: Member;
  keys: DeviceKey[];
}

export function isModeratorRole(role: Role): boolean {
  return role === 'moderator' || role === 'admin';
}
