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

// ---------------------------------------------------------------------------
// Protocol 2: secret rounds (docs/protocol.md, "Protocol 2"). A ballot is
// signed with a round key made for this round only and carries a blind-signed
// credential for that key instead of naming a voter; the register lists the
// electorate's pseudonyms and those that received a credential.

/** An issuing key: the 256-byte RSA modulus (e = 65537), base64url. */
export type B64IssuingKey = string;
/** A credential: an RSASSA-PSS signature of 256 bytes, base64url. */
export type B64Credential = string;

/** A secret round's definition: protocol 1's, plus the round's issuing key. */
export type RoundDefinitionV2 = RoundDefinition & { readonly issuer: B64IssuingKey };

export interface BallotV2 {
  readonly instance: Id;
  readonly round: Id;
  readonly definition: B64Hash;
  /** The round key: made for this round only, it signs the ballot. */
  readonly key: B64PublicKey;
  /** The issuing key's signature over (round, key): one credential per eligible member and round. */
  readonly credential: B64Credential;
  readonly choice: Choice;
  readonly nonce: B64Nonce;
  readonly castAt: Timestamp;
}

/** No voter: the credential is the voter, and nothing on the board names a member or a pseudonym. */
export interface BoardEntryV2 {
  readonly seq: number;
  readonly ballot: BallotV2;
  readonly sig: B64Signature;
  readonly leaf: B64Hash;
  readonly head: B64Hash;
}
export type BoardV2 = readonly BoardEntryV2[];

/** Both sorted, each pseudonym once; `issued` lists the pseudonyms that received a credential, a part of `electorate`. */
export interface RegisterV2 {
  readonly electorate: readonly Pseudonym[];
  readonly issued: readonly Pseudonym[];
}

export interface OutcomeV2 {
  readonly instance: Id;
  readonly round: Id;
  readonly definition: B64Hash;
  readonly register: { readonly count: number; readonly issued: number; readonly root: B64Hash };
  readonly board: { readonly entries: number; readonly head: B64Hash };
  /** Distinct credentials with at least one entry on the board. */
  readonly counted: number;
  readonly result: OutcomeResult;
  readonly closedAt: Timestamp;
  readonly publishedAt: Timestamp;
}

export interface BundleV2 {
  readonly protocol: 2;
  readonly instanceKey: B64PublicKey;
  readonly definition: RoundDefinitionV2;
  readonly definitionSig: B64Signature;
  readonly register: RegisterV2;
  readonly board: BoardV2;
  readonly outcome: OutcomeV2;
  readonly outcomeSig: B64Signature;
}

/** Any definition a round may have frozen: named (protocol 1) or secret (protocol 2). */
export type AnyRoundDefinition = RoundDefinition | RoundDefinitionV2;
export type AnyBallot = Ballot | BallotV2;
export type AnyBoardEntry = BoardEntry | BoardEntryV2;
export type AnyRegister = Register | RegisterV2;
export type AnyOutcome = Outcome | OutcomeV2;
export type AnyBundle = Bundle | BundleV2;

/** A definition is secret (protocol 2) exactly when it names an issuing key. */
export function isSecretDefinition(definition: AnyRoundDefinition): definition is RoundDefinitionV2 {
  return 'issuer' in definition;
}
