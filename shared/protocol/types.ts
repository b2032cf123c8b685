/**
 * The wire types of protocol.md. Their zod schemas are in `schemas.ts`,
 * typed against these interfaces so the two cannot drift apart.
 *
 * Strings are aliased by meaning only; the schemas hold the formats:
 * - ids: 1–64 chars of [A-Za-z0-9_-]
 * - timestamps: RFC 3339 UTC with milliseconds, `2026-11-23T10:00:00.000Z`
 * - B64 fields: base64url without padding of an exact number of bytes
 */
import type { Choice, Contest, CountOption, Method } from '../counting/types';

export type Id = string;
/** A voter's pseudonym in one round: an id that does not reveal the member. */
export type Pseudonym = string;
export type Timestamp = string;
/** 32-byte Ed25519 public key, base64url. */
export type B64PublicKey = string;
/** 64-byte Ed25519 signature, base64url. */
export type B64Signature = string;
/** 32-byte SHA-256 digest, base64url. */
export type B64Hash = string;
/** 16 random bytes, base64url. */
export type B64Nonce = string;

export type RoundOption = CountOption;

interface DefinitionCommon {
  readonly instance: Id;
  readonly round: Id;
  readonly title: string;
  readonly options: readonly RoundOption[];
  readonly seats: number;
  /** With revote, a voter's latest accepted ballot counts; without, a second ballot is refused. */
  readonly revote: boolean;
  /** A sealed round shows no tally and no board until it closes. */
  readonly sealed: boolean;
  readonly opensAt: Timestamp;
  readonly closesAt: Timestamp | null;
  readonly electorate: { readonly count: number };
}

/** The rules of a method are those of the counting library's Contest. */
export type RulesOf<M extends Method> = Extract<Contest, { readonly method: M }>['rules'];

/** protocol.md "Round definition", one member per method so `rules` fits `method`. */
export type RoundDefinition = {
  readonly [M in Method]: DefinitionCommon & { readonly method: M; readonly rules: RulesOf<M> };
}[Method];

export interface RegisterEntry {
  readonly voter: Pseudonym;
  readonly keys: readonly B64PublicKey[];
}
/** Sorted by voter, one entry per eligible voter. */
export type Register = readonly RegisterEntry[];

export interface Ballot {
  readonly instance: Id;
  readonly round: Id;
  /** definitionHash, base64url. */
  readonly definition: B64Hash;
  readonly key: B64PublicKey;
  readonly choice: Choice;
  readonly nonce: B64Nonce;
  readonly castAt: Timestamp;
}

export interface BoardEntry {
  readonly seq: number;
  readonly voter: Pseudonym;
  readonly ballot: Ballot;
  readonly sig: B64Signature;
  readonly leaf: B64Hash;
  readonly head: B64Hash;
}
export type Board = readonly BoardEntry[];

export interface Receipt {
  readonly instance: Id;
  readonly round: Id;
  readonly seq: number;
  readonly leaf: B64Hash;
  readonly head: B64Hash;
}

/** What `POST /api/rounds/:id/ballots` answers, and what a voter keeps. */
export interface SignedReceipt {
  readonly receipt: Receipt;
  readonly receiptSig: B64Signature;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A count's result as published: `method` and `winners` always (and, from
 * this project's counting library, `ties`), the rest per method (docs/protocol.md). Kept open here: the verifier compares it
 * with its own recount byte for byte (JCS), not field by field.
 */
export interface OutcomeResult {
  readonly method: Method;
  readonly winners: readonly Id[];
  readonly [field: string]: unknown;
}

export interface Outcome {
  readonly instance: Id;
  readonly round: Id;
  readonly definition: B64Hash;
  readonly register: { readonly count: number; readonly root: B64Hash };
  readonly board: { readonly entries: number; readonly head: B64Hash };
  /** Voters whose ballot counts: voters with at least one entry on the board. */
  readonly counted: number;
  readonly result: OutcomeResult;
  readonly closedAt: Timestamp;
  readonly publishedAt: Timestamp;
}

export interface Bundle {
  readonly protocol: 1;
  readonly instanceKey: B64PublicKey;
  readonly definition: RoundDefinition;
  readonly definitionSig: B64Signature;
  readonly register: Register;
  readonly board: Board;
  readonly outcome: Outcome;
  readonly outcomeSig: B64Signature;
}

/** `GET /.well-known/stemkring.json`. */
export interface InstanceInfo {
  readonly protocol: 1;
  readonly instance: Id;
  readonly name: string;
  readonly publicKey: B64PublicKey;
}
