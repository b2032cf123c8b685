/**
 * The API's shapes, as the client reads them: the contract's (shared/api),
 * the same the server answers with, so that the two cannot drift apart.
 * Nothing here comes from the server's modules.
 */
export type {
  AuditEntry,
  DeviceKey,
  ErrorCode,
  Me,
  Member,
  MemberStatus,
  Proposal,
  Question,
  QuestionDetail,
  Role,
  Round,
  RoundStatus,
  RoundView,
  Session,
  SessionDetail,
  SessionSummary,
  TallyPush,
  Tokens,
  Turnout,
} from '../../shared/api/index';
import type { Role } from '../../shared/api/index';

export function isModeratorRole(role: Role): boolean {
  return role === 'moderator' || role === 'admin';
}
