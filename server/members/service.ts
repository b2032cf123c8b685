import { createHash, randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Result } from '../../shared/result';
import { err, ok } from '../../shared/result';
import { recordAudit, type ActionContext } from '../audit/audit';
import { decoyHash, hashPassword, verifyPassword } from '../auth/password';
import { hashRefreshToken, type AccessTokens } from '../auth/tokens';
import type { Clock } from '../clock';
import type { Database, DeviceKeyRow } from '../store/schema';
import type { Store } from '../store/store';
import { failure, type Failure } from '../failure';
import { newId, randomToken } from '../ids';
import { checkDevicePublicKey } from './device-key';
import { mayActOn, toMember, type Member, type MemberStatus, type Role } from './member';
import * as repo from './repository';
import type { DeviceKey, Tokens } from '../../shared/api/members';

/** Lets open rounds take a key a voter adds while they run (see RoundService). */
export interface KeyHook {
  addKeyToOpenRounds(trx: Transaction<Database>, memberId: string, publicKey: string, at: string): Promise<() => void>;
}

// The API's shapes are the contract's (shared/api/members.ts).
export type { DeviceKey, Tokens } from '../../shared/api/members';

function toDeviceKey(row: DeviceKeyRow): DeviceKey {
  return { publicKey: row.public_key, createdAt: row.created_at, revokedAt: row.revoked_at };
}

/**
 * Told, after the commit, of rights that are gone: a member's (suspended or
 * given a lower role) or one login's (signed out, or its refresh chain revoked).
 */
export type AccessLost = { readonly kind: 'member'; readonly memberId: string } | { readonly kind: 'login'; readonly loginId: string };
export type AccessLostListener = (lost: AccessLost) => void;

const RANK: Record<Role, number> = { member: 0, moderator: 1, admin: 2 };

/**
 * What a key event names: the member whose key it is. A device public key is
 * what signs ballots on the board, so an audit event carrying it would let
 * anyone who reads the log join it with the board and see how each member
 * voted (issue 13, item 7).
 */
function keyEventTarget(memberId: string): { targetType: 'member'; targetId: string } {
  return { targetType: 'member', targetId: memberId };
}

const INVITE_DAYS = 30;

function hashInvite(code: string): string {
  return createHash('sha256').update(code.trim()).digest('base64url');
}

/** Readable invite codes: no 0/O/1/I to mistype, grouped for reading aloud. */
function newInviteCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(12);
  let code = '';
  for (let i = 0; i < 12; i++) {
    code += alphabet[(bytes[i] ?? 0) % alphabet.length];
    if (i % 4 === 3 && i < 11) code += '-';
  }
  return code;
}

export class MemberService {
  constructor(
    private readonly store: Store,
    private readonly tokens: AccessTokens,
    private readonly clock: Clock,
    private readonly refreshTtlSeconds: number,
    private readonly keyHook?: KeyHook,
  ) {}

  private readonly accessLost: AccessLostListener[] = [];

  /** Live connections listen here: what a member may see changed, so their sockets must not keep the old rights. */
  onAccessLost(listener: AccessLostListener): void {
    this.accessLost.push(listener);
  }

  private tellAccessLost<T>(lost: AccessLost, result: Result<T, Failure>): Result<T, Failure> {
    if (result.ok) for (const l of this.accessLost) l(lost);
    return result;
  }

  async register(
    ctx: ActionContext,
    input: { email: string; name: string; password: string; inviteCode?: string | undefined },
  ): Promise<Result<Member, Failure>> {
    const passwordHash = await hashPassword(input.password);
    return this.store.transaction(async (trx) => {
      const id = newId();
      const inserted = await repo.insertMember(trx, {
        id,
        email: input.email,
        name: input.name,
        password_hash: passwordHash,
        role: 'member',
        status: 'pending',
        created_at: ctx.at,
        approved_at: null,
        approved_by: null,
      });
      // One account per email is the database's rule (see insertMember), so it holds when two registrations meet.
      if (!inserted) return failure('email_taken', 'an account with this email already exists', 'email');
      let status: MemberStatus = 'pending';
      if (input.inviteCode !== undefined) {
        if (!(await repo.useInvite(trx, hashInvite(input.inviteCode), id, ctx.at))) {
          return failure('invalid_invite', 'this invite code is unknown, used or expired', 'inviteCode');
        }
        status = 'active';
        await repo.updateMember(trx, id, { status, approved_at: ctx.at });
      }
      await recordAudit(trx, { ...ctx, actorId: id }, {
        action: 'member.register',
        targetType: 'member',
        targetId: id,
        detail: { status, invited: input.inviteCode !== undefined },
      });
      const row = await repo.findMemberById(trx, id);
      if (row === undefined) throw new Error('member vanished inside its own transaction');
      return ok(toMember(row));
    });
  }

  async login(ctx: ActionContext, input: { email: string; password: string }): Promise<Result<Tokens, Failure>> {
    const row = await repo.findMemberByEmail(this.store.db, input.email);
    const valid = await verifyPassword(input.password, row?.password_hash ?? (await decoyHash()));
    if (row === undefined || !valid) {
      if (row !== undefined) await this.auditRefusedLogin(ctx, row.id, 'wrong password');
      return failure('invalid_credentials', 'email or password is wrong');
    }
    if (row.status === 'suspended') {
      await this.auditRefusedLogin(ctx, row.id, 'suspended');
      return failure('account_suspended', 'this account is suspended');
    }
    return this.store.transaction(async (trx) => {
      const tokens = await this.issueTokens(trx, row.id, newId(), ctx.at);
      await recordAudit(trx, { ...ctx, actorId: row.id }, { action: 'member.login', targetType: 'member', targetId: row.id });
      return ok({ ...tokens, member: toMember(row) });
    });
  }

  private async auditRefusedLogin(ctx: ActionContext, memberId: string, reason: string): Promise<void> {
    await this.store.transaction(async (trx) => {
      await recordAudit(trx, { ...ctx, actorId: memberId }, {
        action: 'member.login',
        targetType: 'member',
        targetId: memberId,
        outcome: 'denied',
        detail: { reason },
      });
      return ok(null);
    });
  }

  /**
   * A refresh token works once. Presenting a spent one of a live chain means
   * it was copied: the whole chain of that login is revoked, so the thief and
   * the owner both have to sign in again. A chain that has ended already
   * (sign-out, suspension, an earlier reuse) is simply refused, each with its
   * own code, so a client can tell "sign in again" from "you are suspended".
   */
  async refresh(ctx: ActionContext, refreshToken: string): Promise<Result<Tokens, Failure>> {
    const tokenHash = hashRefreshToken(refreshToken);
    const outcome = await this.store.transaction(async (trx): Promise<Result<Tokens | { reused: string }, Failure>> => {
      const row = await repo.findRefreshToken(trx, tokenHash);
      if (row === undefined) return failure('invalid_refresh_token', 'this refresh token is unknown');
      const member = await repo.findMemberById(trx, row.member_id);
      if (member === undefined) throw new Error('refresh token without member');
      if (member.status === 'suspended') return failure('account_suspended', 'this account is suspended');
      if (row.revoked_at !== null) return failure('refresh_token_revoked', 'this sign-in has ended; sign in again');
      if (row.used_at !== null) {
        await repo.revokeRefreshFamily(trx, row.family_id, ctx.at);
        await recordAudit(trx, { ...ctx, actorId: row.member_id }, {
          action: 'auth.refresh_reuse',
          targetType: 'member',
          targetId: row.member_id,
          outcome: 'denied',
          detail: { family: row.family_id },
        });
        // Committed on purpose: the revocation must stick even though the request fails.
        return ok({ reused: row.family_id });
      }
      if (row.expires_at <= ctx.at) return failure('invalid_refresh_token', 'this refresh token has expired');
      if (!(await repo.markRefreshTokenUsed(trx, tokenHash, ctx.at))) {
        return failure('invalid_refresh_token', 'this refresh token was just used');
      }
      const tokens = await this.issueTokens(trx, member.id, row.family_id, ctx.at);
      await recordAudit(trx, { ...ctx, actorId: member.id }, { action: 'auth.refresh', targetType: 'member', targetId: member.id });
      return ok({ ...tokens, member: toMember(member) });
    });
    if (outcome.ok && 'reused' in outcome.value) {
      this.tellAccessLost({ kind: 'login', loginId: outcome.value.reused }, outcome);
      return failure('refresh_token_reused', 'this refresh token was already used; sign in again');
    }
    return outcome as Result<Tokens, Failure>;
  }

  /** Signs out one login: its whole refresh chain stops working. */
  async logout(ctx: ActionContext, refreshToken: string): Promise<Result<null, Failure>> {
    let loginId = '';
    const result = await this.store.transaction(async (trx) => {
      const row = await repo.findRefreshToken(trx, hashRefreshToken(refreshToken));
      if (row === undefined) return failure('invalid_refresh_token', 'this refresh token is unknown');
      loginId = row.family_id;
      await repo.revokeRefreshFamily(trx, row.family_id, ctx.at);
      await recordAudit(trx, { ...ctx, actorId: row.member_id }, { action: 'auth.logout', targetType: 'member', targetId: row.member_id });
      return ok(null);
    });
    return this.tellAccessLost({ kind: 'login', loginId }, result);
  }

  private async issueTokens(
    trx: Transaction<Database>,
    memberId: string,
    familyId: string,
    at: string,
  ): Promise<{ accessToken: string; refreshToken: string }> {
    const refreshToken = randomToken(32);
    await repo.insertRefreshToken(trx, {
      token_hash: hashRefreshToken(refreshToken),
      family_id: familyId,
      member_id: memberId,
      created_at: at,
      expires_at: new Date(Date.parse(at) + this.refreshTtlSeconds * 1000).toISOString(),
    });
    const accessToken = await this.tokens.issue(memberId, familyId, this.clock.now());
    return { accessToken, refreshToken };
  }

  async me(memberId: string): Promise<{ member: Member; keys: DeviceKey[] } | undefined> {
    const row = await repo.findMemberById(this.store.db, memberId);
    if (row === undefined) return undefined;
    const keys = await repo.listDeviceKeys(this.store.db, memberId);
    return { member: toMember(row), keys: keys.map(toDeviceKey) };
  }

  async list(status: MemberStatus | undefined): Promise<Member[]> {
    return (await repo.listMembers(this.store.db, status)).map(toMember);
  }

  async approve(ctx: ActionContext, actorRole: Role, memberId: string): Promise<Result<Member, Failure>> {
    return this.store.transaction(async (trx) => {
      const row = await repo.findMemberById(trx, memberId);
      if (row === undefined) return failure('not_found', 'no such member');
      if (!mayActOn(actorRole, row.role)) return failure('forbidden', `only an admin can approve a ${row.role}`);
      if (row.status !== 'pending') return failure('conflict', `this member is ${row.status}, not pending`);
      await repo.updateMember(trx, memberId, { status: 'active', approved_at: ctx.at, approved_by: ctx.actorId });
      await recordAudit(trx, ctx, { action: 'member.approve', targetType: 'member', targetId: memberId });
      return ok({ ...toMember(row), status: 'active' as const });
    });
  }

  async setRole(ctx: ActionContext, memberId: string, role: Role): Promise<Result<Member, Failure>> {
    let lowered = false;
    const result = await this.store.transaction(async (trx) => {
      const row = await repo.findMemberById(trx, memberId);
      if (row === undefined) return failure('not_found', 'no such member');
      if (row.role === 'admin' && role !== 'admin' && row.status === 'active' && (await repo.countActiveAdmins(trx)) <= 1) {
        return failure('last_admin', 'the last active admin cannot give up the role');
      }
      await repo.updateMember(trx, memberId, { role });
      lowered = RANK[role] < RANK[row.role];
      await recordAudit(trx, ctx, {
        action: 'member.role',
        targetType: 'member',
        targetId: memberId,
        detail: { from: row.role, to: role },
      });
      return ok({ ...toMember(row), role });
    });
    return lowered ? this.tellAccessLost({ kind: 'member', memberId }, result) : result;
  }

  /** Suspension signs the member out everywhere and stops them voting and proposing. */
  async suspend(ctx: ActionContext, actorRole: Role, memberId: string, reason: string): Promise<Result<Member, Failure>> {
    const result = await this.store.transaction(async (trx) => {
      const row = await repo.findMemberById(trx, memberId);
      if (row === undefined) return failure('not_found', 'no such member');
      if (memberId === ctx.actorId) return failure('conflict', 'you cannot suspend yourself');
      if (!mayActOn(actorRole, row.role)) return failure('forbidden', `only an admin can suspend a ${row.role}`);
      if (row.status === 'suspended') return failure('conflict', 'this member is already suspended');
      if (row.role === 'admin' && (await repo.countActiveAdmins(trx)) <= 1) {
        return failure('last_admin', 'the last active admin cannot be suspended');
      }
      await repo.updateMember(trx, memberId, { status: 'suspended' });
      await repo.revokeRefreshTokensOfMember(trx, memberId, ctx.at);
      await recordAudit(trx, ctx, {
        action: 'member.suspend',
        targetType: 'member',
        targetId: memberId,
        detail: { reason, previousStatus: row.status },
      });
      return ok({ ...toMember(row), status: 'suspended' as const });
    });
    return this.tellAccessLost({ kind: 'member', memberId }, result);
  }

  /** The same rank as suspending: a moderator cannot undo what an admin did to a moderator or admin. */
  async reinstate(ctx: ActionContext, actorRole: Role, memberId: string): Promise<Result<Member, Failure>> {
    return this.store.transaction(async (trx) => {
      const row = await repo.findMemberById(trx, memberId);
      if (row === undefined) return failure('not_found', 'no such member');
      if (!mayActOn(actorRole, row.role)) return failure('forbidden', `only an admin can reinstate a ${row.role}`);
      if (row.status !== 'suspended') return failure('conflict', 'this member is not suspended');
      await repo.updateMember(trx, memberId, { status: 'active' });
      await recordAudit(trx, ctx, { action: 'member.reinstate', targetType: 'member', targetId: memberId });
      return ok({ ...toMember(row), status: 'active' as const });
    });
  }

  async createInvites(ctx: ActionContext, count: number): Promise<Result<{ codes: string[]; expiresAt: string }, Failure>> {
    const actor = ctx.actorId;
    if (actor === null) throw new Error('invites need an actor');
    const codes = Array.from({ length: count }, newInviteCode);
    const expiresAt = new Date(Date.parse(ctx.at) + INVITE_DAYS * 86_400_000).toISOString();
    return this.store.transaction(async (trx) => {
      await repo.insertInvites(
        trx,
        codes.map((code) => ({ code_hash: hashInvite(code), created_by: actor, created_at: ctx.at, expires_at: expiresAt })),
      );
      await recordAudit(trx, ctx, { action: 'invite.create', targetType: 'invite', targetId: null, detail: { count, expiresAt } });
      return ok({ codes, expiresAt });
    });
  }

  async addKey(ctx: ActionContext, memberId: string, publicKey: string): Promise<Result<DeviceKey, Failure>> {
    const problem = checkDevicePublicKey(publicKey);
    if (problem !== null) return failure('invalid_public_key', `publicKey ${problem}`, 'publicKey');
    let afterCommit: (() => void) | undefined;
    const result = await this.store.transaction(async (trx) => {
      // One registration per key is the database's rule (its primary key): the insert, not a read before it, decides.
      if (!(await repo.insertDeviceKey(trx, { public_key: publicKey, member_id: memberId, created_at: ctx.at }))) {
        const existing = await repo.findDeviceKey(trx, publicKey);
        return failure('key_in_use', existing?.member_id === memberId ? 'you registered this key already' : 'this key is registered already', 'publicKey');
      }
      afterCommit = await this.keyHook?.addKeyToOpenRounds(trx, memberId, publicKey, ctx.at);
      // The member, never the key: the key is on every board this member votes on (see keyEventTarget).
      await recordAudit(trx, ctx, { action: 'key.add', ...keyEventTarget(memberId) });
      return ok({ publicKey, createdAt: ctx.at, revokedAt: null });
    });
    if (result.ok) afterCommit?.();
    return result;
  }

  async revokeKey(ctx: ActionContext, memberId: string, publicKey: string): Promise<Result<DeviceKey, Failure>> {
    return this.store.transaction(async (trx) => {
      const row = await repo.findDeviceKey(trx, publicKey);
      if (row === undefined || row.member_id !== memberId) return failure('not_found', 'you have no such key');
      if (row.revoked_at !== null) return failure('conflict', 'this key is revoked already');
      await repo.revokeDeviceKey(trx, publicKey, ctx.at);
      await recordAudit(trx, ctx, { action: 'key.revoke', ...keyEventTarget(memberId) });
      return ok({ ...toDeviceKey(row), revokedAt: ctx.at });
    });
  }

  /**
   * STEMKRING_BOOTSTRAP_ADMIN: after every start, the configured email and
   * password sign in as an active admin. Whoever holds the server's
   * environment is trusted with that, but an account someone registered under
   * the email is not: its password is replaced by the configured one and its
   * sign-ins end, so the registrant's password never becomes an admin's. A
   * suspended account is not reactivated behind the back of the admin who
   * suspended it: the start is refused instead (see app.ts).
   */
  async ensureAdmin(ctx: ActionContext, email: string, password: string): Promise<Result<'created' | 'updated' | 'unchanged', 'suspended'>> {
    const existing = await repo.findMemberByEmail(this.store.db, email);
    if (existing?.status === 'suspended') return err('suspended');
    if (existing !== undefined && existing.role === 'admin' && existing.status === 'active' && (await verifyPassword(password, existing.password_hash))) {
      return ok('unchanged');
    }
    const passwordHash = await hashPassword(password);
    const result = await this.store.transaction(async (trx) => {
      const id = existing?.id ?? newId();
      if (existing === undefined) {
        const inserted = await repo.insertMember(trx, {
          id,
          email,
          name: 'Admin',
          password_hash: passwordHash,
          role: 'admin',
          status: 'active',
          created_at: ctx.at,
          approved_at: ctx.at,
          approved_by: null,
        });
        // Registered between the read above and this insert (only at start, so rare): starting again takes the update path.
        if (!inserted) throw new Error(`the account ${email} was registered while the bootstrap admin was being made; start again`);
      } else {
        await repo.updateMember(trx, id, { role: 'admin', status: 'active', password_hash: passwordHash, approved_at: existing.approved_at ?? ctx.at });
        await repo.revokeRefreshTokensOfMember(trx, id, ctx.at);
      }
      await recordAudit(trx, ctx, {
        action: 'admin.bootstrap',
        targetType: 'member',
        targetId: id,
        detail:
          existing === undefined
            ? { created: true }
            : { created: false, passwordReset: true, previousRole: existing.role, previousStatus: existing.status },
      });
      return ok(existing === undefined ? ('created' as const) : ('updated' as const));
    });
    if (!result.ok) throw new Error('bootstrap admin failed');
    return result;
  }
}
