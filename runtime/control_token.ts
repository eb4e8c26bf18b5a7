/**
 * The signature of a control command: a JWT in the message header
 * `Trellis-Control-Token`, signed by an account or operator key that the
 * hosts trust (`--ctl-issuer`). It names the subject the command is for,
 * a SHA-256 of the command's bytes, its time window and a one-time id, so
 * that a command cannot be changed, sent to another host or subject, or
 * played again.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { KeyPair } from "./ed25519.ts";
import {
  checkTimes,
  decodeJwt,
  hasStandardHeader,
  isSignedBy,
  newTokenId,
  signJwt,
} from "./jwt.ts";
import { isPublicKey, type KeyKind } from "./nkeys.ts";

/** The header that carries a command's token. */
export const CONTROL_TOKEN_HEADER = "Trellis-Control-Token";

/** Key kinds that may sign commands. */
export const CONTROL_SIGNER_KINDS: readonly KeyKind[] = [
  "account",
  "operator",
];

/** How long a token is valid after it is signed, in seconds. */
export const CONTROL_TOKEN_SECONDS = 60;

/** The longest validity a host accepts, in seconds. */
const MAX_TOKEN_SECONDS = 600;

/** One-time ids remembered at most; past it, commands are refused. */
const MAX_REMEMBERED = 100_000;

/** Upper-case hex SHA-256 of a command's bytes. */
export function commandHash(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex").toUpperCase();
}

/** Signs the command `body` for `subject` with `key`. */
export async function signCommand(
  subject: string,
  body: Uint8Array,
  key: KeyPair,
  nowMs = Date.now(),
): Promise<string> {
  if (!CONTROL_SIGNER_KINDS.includes(key.kind)) {
    throw new TypeError(
      `Cannot sign command: a ${key.kind} key cannot sign commands, only ` +
        "an account or operator key",
    );
  }
  const iat = Math.floor(nowMs / 1000);
  return await signJwt({
    jti: newTokenId(),
    iat,
    exp: iat + CONTROL_TOKEN_SECONDS,
    iss: key.publicKey,
    sub: subject,
    control: { hash: commandHash(body) },
  }, key);
}

/** Options of a {@link CommandChecker}. */
export interface CommandCheckOptions {
  /** Keys allowed to sign; empty accepts every command, signed or not. */
  issuers: readonly string[];
  /** Clock skew tolerated on `iat`, `exp` and `nbf`, in seconds. */
  skewSeconds?: number;
  /** The time in ms; `Date.now` by default. */
  now?: () => number;
}

/** The verdict on one command. */
export type CommandCheck =
  | { accepted: true; issuer?: string }
  | { accepted: false; reason: string; issuer?: string };

/**
 * Checks the tokens of commands a host receives, and remembers their ids
 * until they expire so that none is obeyed twice.
 */
export class CommandChecker {
  readonly #issuers: ReadonlySet<string>;
  readonly #skew: number;
  readonly #now: () => number;
  /** One-time ids seen, with the time (s) after which they are void. */
  readonly #seen = new Map<string, number>();

  /** A checker; throws a TypeError for an issuer that is not a key. */
  constructor(options: CommandCheckOptions) {
    for (const issuer of options.issuers) {
      if (!CONTROL_SIGNER_KINDS.some((kind) => isPublicKey(issuer, kind))) {
        throw new TypeError(
          `Invalid control issuer "${issuer}": not an account or operator ` +
            "public key",
        );
      }
    }
    this.#issuers = new Set(options.issuers);
    this.#skew = options.skewSeconds ?? 60;
    this.#now = options.now ?? Date.now;
  }

  /** Whether every command is obeyed, signed or not. */
  get open(): boolean {
    return this.#issuers.size === 0;
  }

  /** Checks the token of `body` received on `subject`. */
  async check(
    subject: string,
    body: Uint8Array,
    token: string | undefined,
  ): Promise<CommandCheck> {
    if (this.open) return { accepted: true };
    if (token === undefined) return refuse("command is not signed");
    let decoded;
    try {
      decoded = decodeJwt(token);
    } catch (error) {
      return refuse(`token is malformed (${(error as Error).message})`);
    }
    const { header, payload } = decoded;
    const issuer = typeof payload.iss === "string" ? payload.iss : undefined;
    const refused = (reason: string) => refuse(reason, issuer);
    if (!hasStandardHeader(header)) {
      return refused("token header is not Ed25519 JWT");
    }
    if (issuer === undefined || !this.#issuers.has(issuer)) {
      return refused(`signer "${issuer}" is not a trusted control issuer`);
    }
    if (!await isSignedBy(decoded, issuer)) {
      return refused("token signature does not verify");
    }
    if (payload.sub !== subject) {
      return refused("token is for another subject");
    }
    const hash = (payload.control as { hash?: unknown } | undefined)?.hash;
    if (hash !== commandHash(body)) {
      return refused("command does not match the token's hash");
    }
    const time = this.#checkTimes(payload);
    if (time) return refused(time);
    const reused = this.#once(payload.jti, payload.exp as number);
    return reused ? refused(reused) : { accepted: true, issuer };
  }

  #checkTimes(payload: Record<string, unknown>): string | undefined {
    const { iat, exp, nbf } = payload;
    if (typeof iat !== "number" || typeof exp !== "number") {
      return "token lacks iat or exp";
    }
    if (exp - iat > MAX_TOKEN_SECONDS) {
      return `token is valid for more than ${MAX_TOKEN_SECONDS} s`;
    }
    const times = {
      exp,
      nbf: typeof nbf === "number" ? Math.max(nbf, iat) : iat,
    };
    const problem = checkTimes(times, this.#now(), this.#skew);
    if (problem) return `token is ${problem.replaceAll("_", " ")}`;
    return undefined;
  }

  // Returns why the token cannot be used, or remembers it as used.
  #once(jti: unknown, exp: number): string | undefined {
    if (typeof jti !== "string" || jti === "") return "token has no id";
    const now = this.#now() / 1000;
    if (this.#seen.size >= MAX_REMEMBERED / 2) {
      for (const [id, until] of this.#seen) {
        if (until < now) this.#seen.delete(id);
      }
    }
    if (this.#seen.has(jti)) return "token was used before";
    if (this.#seen.size >= MAX_REMEMBERED) {
      return "too many commands to remember; try again later";
    }
    this.#seen.set(jti, exp + this.#skew);
    return undefined;
  }
}

function refuse(reason: string, issuer?: string): CommandCheck {
  return { accepted: false, reason, issuer };
}
