/**
 * Compact JSON Web Tokens signed with Ed25519 nkeys, as wascap writes them:
 * `base64url(header).base64url(claims).base64url(signature)` without
 * padding, header `{"typ":"jwt","alg":"Ed25519"}`, the signature taken over
 * the ASCII of the first two parts.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { verifySignature } from "./ed25519.ts";
import type { KeyPair } from "./ed25519.ts";

/** The header every token carries. */
export const JWT_HEADER: Readonly<Record<string, string>> = Object.freeze({
  typ: "jwt",
  alg: "Ed25519",
});

/** {@linkcode JWT_HEADER} as the first part of a token. */
export const ENCODED_HEADER: string = Buffer.from(JSON.stringify(JWT_HEADER))
  .toString("base64url");

/** The registered claims wascap tokens use (times in seconds since epoch). */
export interface JwtClaims {
  jti: string;
  iat: number;
  iss: string;
  sub: string;
  exp?: number;
  nbf?: number;
  [claim: string]: unknown;
}

/** A token split into its parts; nothing about it is verified yet. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: Uint8Array<ArrayBuffer>;
  /** `<header>.<claims>` as written, what the signature covers. */
  signingInput: string;
  token: string;
}

/** Signs `payload` with `key` and returns the compact token. */
export async function signJwt(
  payload: Record<string, unknown>,
  key: KeyPair,
  header: Record<string, unknown> = JWT_HEADER,
): Promise<string> {
  const signingInput = `${
    header === JWT_HEADER ? ENCODED_HEADER : encodeJson(header)
  }.${encodeJson(payload)}`;
  const signature = await key.sign(new TextEncoder().encode(signingInput));
  return `${signingInput}.${base64UrlEncode(signature)}`;
}

/**
 * Splits a token into header, payload and signature. Throws a SyntaxError
 * unless it has three parts of base64url, the first two JSON objects.
 */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split(".");
  if (parts.length !== 3) {
    throw new SyntaxError(
      `Cannot decode token: expected 3 parts, got ${parts.length}`,
    );
  }
  const [header, payload, signature] = parts;
  return {
    // The header every token of ours carries is known without decoding.
    header: header === ENCODED_HEADER
      ? { ...JWT_HEADER }
      : decodeJson(header, "header"),
    payload: decodeJson(payload, "claims"),
    signature: decodePart(signature, "signature"),
    signingInput: `${header}.${payload}`,
    token,
  };
}

/** Whether the header is `{typ: "jwt", alg: "Ed25519"}` (typ in any case). */
export function hasStandardHeader(header: Record<string, unknown>): boolean {
  return typeof header.typ === "string" &&
    header.typ.toLowerCase() === "jwt" &&
    header.alg === JWT_HEADER.alg;
}

/** Whether the token's signature was made by the key `publicKey`. */
export async function isSignedBy(
  decoded: DecodedJwt,
  publicKey: string,
): Promise<boolean> {
  const data = new TextEncoder().encode(decoded.signingInput);
  return await verifySignature(publicKey, decoded.signature, data);
}

/** Which time limit a token breaks, if any. */
export type TimeCheck = "expired" | "not_yet_valid";

/**
 * Checks `exp` and `nbf` against `nowMs`, allowing `skewSeconds` of clock
 * difference either way.
 */
export function checkTimes(
  claims: { exp?: number; nbf?: number },
  nowMs: number,
  skewSeconds: number,
): TimeCheck | undefined {
  const now = nowMs / 1000;
  if (claims.exp !== undefined && now > claims.exp + skewSeconds) {
    return "expired";
  }
  if (claims.nbf !== undefined && now < claims.nbf - skewSeconds) {
    return "not_yet_valid";
  }
  return undefined;
}

const TOKEN_ID_ALPHABET =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A random token id of 22 letters and digits, like the ids wascap writes. */
export function newTokenId(): string {
  let id = "";
  while (id.length < 22) {
    const byte = randomByte();
    // 248 is the largest multiple of 62 that fits a byte: no bias.
    if (byte < 248) id += TOKEN_ID_ALPHABET[byte % 62];
  }
  return id;
}

// Random bytes drawn a few kilobytes at a time: one call to the system's
// generator (and one buffer) per ~180 ids rather than per id.
const randomPool = new Uint8Array(4096);
let randomAt = randomPool.length;

function randomByte(): number {
  if (randomAt === randomPool.length) {
    crypto.getRandomValues(randomPool);
    randomAt = 0;
  }
  return randomPool[randomAt++];
}

/** Seconds since the epoch as an ISO 8601 UTC text without milliseconds. */
export function formatSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return String(seconds);
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** base64url without padding. */
export function base64UrlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("base64url");
}

/** Decodes base64url without padding; anything else is a SyntaxError. */
export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> {
  if (!BASE64URL.test(text) || text.length % 4 === 1) {
    throw new SyntaxError("Cannot decode base64url: bad character or length");
  }
  return new Uint8Array(Buffer.from(text, "base64url"));
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeJson(part: string, what: string): Record<string, unknown> {
  if (!BASE64URL.test(part) || part.length % 4 === 1) {
    throw new SyntaxError(`Cannot decode token: ${what} is not base64url`);
  }
  let value: unknown;
  try {
    // Read straight from the decoder's buffer: the bytes are not kept.
    const text = strictUtf8.decode(Buffer.from(part, "base64url"));
    value = JSON.parse(text);
  } catch (cause) {
    throw new SyntaxError(`Cannot decode token: ${what} is not JSON`, {
      cause,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError(`Cannot decode token: ${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

function decodePart(part: string, what: string): Uint8Array<ArrayBuffer> {
  try {
    return base64UrlDecode(part);
  } catch (cause) {
    throw new SyntaxError(`Cannot decode token: ${what} is not base64url`, {
      cause,
    });
  }
}
