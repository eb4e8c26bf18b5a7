/**
 * Verifying module claims (wascap JWT) before a module runs: the token in
 * its `jwt` section, the module hash, the issuer's signature and times.
 *
 * @module
 */
import {
  checkTimes,
  formatSeconds,
  hasStandardHeader,
  isSignedBy,
} from "./jwt.ts";
import type { DecodedJwt } from "./jwt.ts";
import { describeKind, isPublicKey } from "./nkeys.ts";
import type { KeyKind } from "./nkeys.ts";
import {
  CLAIMS_SECTION,
  claimsFromToken,
  failClaims as fail,
  readModuleToken,
} from "./claims_read.ts";
import type { ActorClaims } from "./claims_read.ts";
import { withoutCustomSections } from "./wasm_sections.ts";

export { CLAIMS_SECTION, ClaimsError, readClaims } from "./claims_read.ts";
export type { ActorClaims, ClaimsCheck } from "./claims_read.ts";

/** How strictly `verifyModule` checks. */
export interface VerifyOptions {
  /** Accept only modules signed by these account keys. */
  allowedIssuers?: string[];
  /** Clock difference tolerated on `exp` and `nbf`; 300 by default. */
  skewSeconds?: number;
  /** The current time in milliseconds; `Date.now` by default. */
  now?: () => number;
}

const DEFAULT_SKEW_SECONDS = 300;

/** SHA-256 of the module with its `jwt` sections cut out, upper-case hex. */
export async function moduleHash(bytes: Uint8Array): Promise<string> {
  const unsigned = withoutCustomSections(bytes, CLAIMS_SECTION);
  const digest = await crypto.subtle.digest("SHA-256", unsigned);
  return Array.from(
    new Uint8Array(digest),
    (byte) => byte.toString(16).padStart(2, "0"),
  ).join("").toUpperCase();
}

/**
 * Verifies a module's claims: token well-formed with the standard header,
 * issuer an account key, subject a module key, hash matching the module,
 * signature by the issuer, within its validity period (give or take the
 * skew) and, if a list is given, issued by an allowed account. Throws a
 * `ClaimsError` naming the failed check.
 */
export async function verifyModule(
  bytes: Uint8Array,
  options: VerifyOptions = {},
): Promise<ActorClaims> {
  const decoded = readModuleToken(bytes, "verify");
  if (!hasStandardHeader(decoded.header)) {
    fail("header", `unexpected header ${JSON.stringify(decoded.header)}`);
  }
  const claims = claimsFromToken(decoded, "verify");
  checkIdentities(claims);

  const hash = await moduleHash(bytes);
  if (hash !== claims.hash) {
    fail(
      "hash",
      `module hash mismatch (claims say "${claims.hash}", module is "${hash}")`,
    );
  }

  await checkSignature(decoded, claims.issuer);
  checkValidity(claims, options);

  const allowed = options.allowedIssuers;
  if (allowed !== undefined && !allowed.includes(claims.issuer)) {
    fail("issuer_not_allowed", `issuer "${claims.issuer}" is not allowed`);
  }
  return claims;
}

/** Human-readable claims, one fact a line, for `trellis claims inspect`. */
export function describeClaims(claims: ActorClaims): string {
  const optional = (value: unknown) =>
    value === undefined ? "none" : String(value);
  const list = (values: string[]) =>
    values.length === 0 ? "none" : values.join(", ");
  const time = (seconds: number | undefined, otherwise: string) =>
    seconds === undefined ? otherwise : formatSeconds(seconds);
  const rows: [string, string][] = [
    ["kind", claims.provider ? "capability provider" : "actor"],
    ["name", optional(claims.name)],
    ["account", claims.issuer],
    ["module", claims.subject],
    ["hash", claims.hash],
    ["caps", list(claims.caps)],
    ["tags", list(claims.tags)],
    ["revision", optional(claims.rev)],
    ["version", optional(claims.ver)],
    ["issued", formatSeconds(claims.issuedAt)],
    ["expires", time(claims.expires, "never")],
    ["not before", time(claims.notBefore, "immediately")],
  ];
  return rows.map(([label, value]) => `${label.padEnd(11)}${value}`)
    .join("\n");
}

function checkIdentities(claims: ActorClaims): void {
  if (!isPublicKey(claims.issuer, "account")) {
    fail(
      "issuer",
      `issuer "${claims.issuer}" is not ${describeKind("account")}`,
    );
  }
  const subjectKinds: KeyKind[] = claims.provider
    ? ["module", "service"]
    : ["module"];
  if (!subjectKinds.some((kind) => isPublicKey(claims.subject, kind))) {
    const wanted = subjectKinds.map(describeKind).join(" or ");
    fail("subject", `subject "${claims.subject}" is not ${wanted}`);
  }
}

async function checkSignature(decoded: DecodedJwt, issuer: string) {
  const reason = `signature does not match issuer "${issuer}"`;
  let valid: boolean;
  try {
    valid = await isSignedBy(decoded, issuer);
  } catch (cause) {
    fail("signature", reason, "verify", cause);
  }
  if (!valid) fail("signature", reason);
}

function checkValidity(claims: ActorClaims, options: VerifyOptions): void {
  const now = options.now?.() ?? Date.now();
  const skew = options.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  const times = { exp: claims.expires, nbf: claims.notBefore };
  const problem = checkTimes(times, now, skew);
  if (problem === "expired") {
    fail("expired", `token expired at ${formatSeconds(claims.expires!)}`);
  }
  if (problem === "not_yet_valid") {
    fail(
      "not_yet_valid",
      `token not valid before ${formatSeconds(claims.notBefore!)}`,
    );
  }
}
