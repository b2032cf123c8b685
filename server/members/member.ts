import type { Member, Role } from '../../shared/api/members';
import type { MemberRow } from '../store/schema';

// The API's member shapes and inputs are the contract's (shared/api/members.ts).
export {
  invitesInput,
  keyInput,
  loginInput,
  MEMBER_STATUSES,
  memberListQuery,
  normalizeEmail,
  refreshInput,
  registerInput,
  ROLES,
  roleInput,
  type Member,
  type MemberStatus,
  type Role,
} from '../../shared/api/members';

export function toMember(row: Pick<MemberRow, 'id' | 'email' | 'name' | 'role' | 'status'>): Member {
  return { id: row.id, email: row.email, name: row.name, role: row.role, status: row.status };
}

export function isModerator(role: Role): boolean {
  return role === 'moderator' || role === 'admin';
}

/**
 * Whether a moderator or admin may approve, suspend or reinstate an account
 * of this role: moderators act on members only; moderators and admins are
 * an admin's to act on.
 */
export function mayActOn(actorRole: Role, targetRole: Role): boolean {
  return actorRole === 'admin' || (actorRole === 'moderator' && targetRole === 'member');
}
