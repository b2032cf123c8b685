/** Members, their device keys and sign-in tokens: the shapes api.md's "Members and keys" answers and takes. */
import { z } from 'zod';

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

export const MemberSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  status: z.enum(MEMBER_STATUSES),
}) satisfies z.ZodType<Member>;

export interface DeviceKey {
  publicKey: string;
  createdAt: string;
  revokedAt: string | null;
}

export const DeviceKeySchema = z.object({
  publicKey: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
}) satisfies z.ZodType<DeviceKey>;

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  member: Member;
}

export const TokensSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  member: MemberSchema,
}) satisfies z.ZodType<Tokens>;

/** `GET /api/me`. */
export interface Me {
  member: Member;
  keys: DeviceKey[];
}

export const MeSchema = z.object({ member: MemberSchema, keys: z.array(DeviceKeySchema) }) satisfies z.ZodType<Me>;

/** `POST /api/invites`. */
export interface Invites {
  codes: string[];
  expiresAt: string;
}

export const InvitesSchema = z.object({ codes: z.array(z.string()), expiresAt: z.string() }) satisfies z.ZodType<Invites>;

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
export const suspendInput = z.strictObject({ reason: z.string().max(1_000).optional() });
