/**
 * Reading module claims (wascap JWT) out of a module's `jwt` custom section
 * without verifying them, and the error every claims check throws.
 *
 * @module
 */
import { decodeJwt } from "./jwt.ts";
import type { DecodedJwt } from "./jwt.ts";
import { customSectionContent, readSections } from "./wasm_sections.ts";

/** The custom section that holds the token. */
export const CLAIMS_SECTION = "jwt";

/** What a signed module says about itself. Times in seconds since epoch. */
export interface ActorClaims {
  /** The signing account (`A…`). */
  issuer: string;
  /** The module's identity (`M…`; `V…` allowed for a provider). */
  subject: string;
  /** When the token was issued (`iat`). */
  issuedAt: number;
  /** When the token expires (`exp`); never if absent. */
  expires?: number;
  /** When the module may first run (`nbf`); at once if absent. */
  notBefore?: number;
  /** The token id (`jti`). */
  id: string;
  /** A human-readable name of the module. */
  name?: string;
  /** SHA-256 of the module without its `jwt` sections, upper-case hex. */
  hash: string;
  /** Free-form labels of the module. */
  tags: string[];
  /** Capability ids the module may call (`wascc:keyvalue`, …). */
  caps: string[];
  /** The module's revision number; higher is newer. */
  rev?: number;
  /** The module's version text, such as `1.2.0`. */
  ver?: string;
  /** Whether the module is a capability provider rather than an actor. */
  provider: boolean;
  /** The token as found in the module. */
  token: string;
}

/** The check a module's claims failed. */
export type ClaimsCheck =
  | "missing"
  | "malformed"
  | "header"
  | "hash"
  | "issuer"
  | "subject"
  | "signature"
  | "expired"
  | "not_yet_valid"
  | "issuer_not_allowed";

/** A module's claims are absent, unreadable or fail a check. */
export class ClaimsError extends Error {
  /** Always `"ClaimsError"`. */
  override name = "ClaimsError";
  /** Records the failed check beside the message. */
  constructor(
    readonly check: ClaimsCheck,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Reads a module's claims without verifying them. */
export function readClaims(bytes: Uint8Array): ActorClaims {
  return claimsFromToken(readModuleToken(bytes, "read"), "read");
}

/** The decoded token of a module's single `jwt` section. */
export function readModuleToken(
  bytes: Uint8Array,
  action: string,
): DecodedJwt {
  return decodeToken(extractToken(bytes, action), action);
}

/** The text of the module's single `jwt` section. */
function extractToken(bytes: Uint8Array, action: string): string {
  let sections;
  try {
    sections = readSections(bytes);
  } catch (cause) {
    failClaims("malformed", "not a WebAssembly module", action, cause);
  }
  const found = sections.filter((section) =>
    section.id === 0 && section.name === CLAIMS_SECTION
  );
  if (found.length === 0) {
    failClaims(
      "missing",
      `no "jwt" custom section (module is unsigned)`,
      action,
    );
  }
  if (found.length > 1) {
    failClaims("malformed", `${found.length} "jwt" custom sections`, action);
  }
  const content = customSectionContent(bytes, found[0]);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch (cause) {
    failClaims("malformed", `"jwt" section is not UTF-8`, action, cause);
  }
}

function decodeToken(token: string, action: string): DecodedJwt {
  try {
    return decodeJwt(token);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    failClaims(
      "malformed",
      reason.replace(/^Cannot decode token: /, ""),
      action,
      cause,
    );
  }
}

/** Reads the wascap claims out of the token's payload, checking types. */
export function claimsFromToken(
  decoded: DecodedJwt,
  action: string,
): ActorClaims {
  const payload = decoded.payload;
  const wascap = payload.wascap;
  if (typeof wascap !== "object" || wascap === null || Array.isArray(wascap)) {
    failClaims("malformed", `claims have no "wascap" object`, action);
  }
  const metadata = wascap as Record<string, unknown>;
  const field = new FieldReader(action);
  return {
    issuer: field.string(payload, "iss"),
    subject: field.string(payload, "sub"),
    issuedAt: field.number(payload, "iat"),
    expires: field.optionalNumber(payload, "exp"),
    notBefore: field.optionalNumber(payload, "nbf"),
    id: field.string(payload, "jti"),
    name: field.optionalString(metadata, "name"),
    hash: field.string(metadata, "hash"),
    tags: field.strings(metadata, "tags"),
    caps: field.strings(metadata, "caps"),
    rev: field.optionalNumber(metadata, "rev"),
    ver: field.optionalString(metadata, "ver"),
    provider: field.optionalBoolean(metadata, "prov") ?? false,
    token: decoded.token,
  };
}

/** Type checks on claim fields; `null` counts as absent, as serde writes. */
class FieldReader {
  constructor(readonly action: string) {}

  string(source: Record<string, unknown>, key: string): string {
    return this.#required(this.optionalString(source, key), key);
  }

  number(source: Record<string, unknown>, key: string): number {
    return this.#required(this.optionalNumber(source, key), key);
  }

  optionalString(source: Record<string, unknown>, key: string) {
    return this.#typed(
      source,
      key,
      "a string",
      (value) => typeof value === "string" ? value : undefined,
    );
  }

  optionalNumber(source: Record<string, unknown>, key: string) {
    return this.#typed(
      source,
      key,
      "a number",
      (value) =>
        typeof value === "number" && Number.isFinite(value) ? value : undefined,
    );
  }

  optionalBoolean(source: Record<string, unknown>, key: string) {
    return this.#typed(
      source,
      key,
      "a boolean",
      (value) => typeof value === "boolean" ? value : undefined,
    );
  }

  strings(source: Record<string, unknown>, key: string): string[] {
    const list = this.#typed(
      source,
      key,
      "a list of strings",
      (value) =>
        Array.isArray(value) && value.every((item) => typeof item === "string")
          ? value as string[]
          : undefined,
    );
    return list ?? [];
  }

  #typed<T>(
    source: Record<string, unknown>,
    key: string,
    expected: string,
    convert: (value: unknown) => T | undefined,
  ): T | undefined {
    const value = source[key];
    if (value === undefined || value === null) return undefined;
    const converted = convert(value);
    if (converted === undefined) {
      failClaims("malformed", `claim "${key}" is not ${expected}`, this.action);
    }
    return converted;
  }

  #required<T>(value: T | undefined, key: string): T {
    if (value === undefined) {
      failClaims("malformed", `claim "${key}" is missing`, this.action);
    }
    return value;
  }
}

/** Throws a `ClaimsError`: "Cannot <action> claims: <reason>". */
export function failClaims(
  check: ClaimsCheck,
  reason: string,
  action = "verify",
  cause?: unknown,
): never {
  throw new ClaimsError(
    check,
    `Cannot ${action} claims: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}
