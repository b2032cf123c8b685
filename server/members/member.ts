import { z } from 'zod';
import type { MemberRow } from '../store/schema';

export const ROLES = ['member', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const MEMBER_STATUSES = ['pending', 'active', 'suspended'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** The member object of api.md. */
export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: MemberStatus;
}

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

/** Emails compare case-insensitively; stored lowercased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const email = z
  .string()
  .max(254)
  .transform(normalizeEmail)
  .pipe(z.email({ message: 'must be an email address' }));
const password = z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters');
const name = z
  .string()
  .max(200, 'must be at most 200 characters')
  .refine((s) => s.trim().length > 0, 'must not be empty');

export const registerInput = z.strictObject({
  email,
  name,
  password,
  inviteCode: z.string().min(1).max(100).optional(),
});

export const loginInput = z.strictObject({
  email: z.string().max(254).transform(normalizeEmail),
  password: z.string().max(200),
});

export const refreshInput = z.strictObject({ refreshToken: z.string().min(1).max(200) });
export const roleInput = z.strictObject({ role: z.enum(ROLES) });
export const invitesInput = z.strictObject({ count: z.number().int().min(1).max(100).default(1) });
export const keyInput = z.strictObject({ publicKey: z.string().min(1).max(100) });
export const memberListQuery = z.strictObject({ status: z.enum(MEMBER_STATUSES).optional() });
