/**
 * The nkeys text form of Ed25519 keys: a prefix naming the key's role, the
 * 32-byte key, a CRC-16/XMODEM checksum, all in RFC 4648 base32 without
 * padding. Public keys are 56 characters, seeds 58.
 *
 * Errors about seeds never quote the seed: it is a secret.
 *
 * @module
 */

/** The role a key plays, written as the first letter of its text. */
export type KeyKind =
  | "account"
  | "cluster"
  | "module"
  | "server"
  | "operator"
  | "user"
  | "service";

/** Prefix byte of each kind of public key (its top five bits are the letter). */
const PREFIX_BYTES: Record<KeyKind, number> = {
  account: 0,
  cluster: 16,
  module: 96,
  server: 104,
  operator: 112,
  user: 160,
  service: 168,
};

const SEED_PREFIX = 144;
const KEY_LENGTH = 32;
const PUBLIC_KEY_TEXT_LENGTH = 56;
const SEED_TEXT_LENGTH = 58;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const KIND_BY_PREFIX = new Map<number, KeyKind>(
  Object.entries(PREFIX_BYTES).map(([kind, byte]) => [byte, kind as KeyKind]),
);

/** The letter public keys of a kind start with (`A` for an account). */
export function kindLetter(kind: KeyKind): string {
  return ALPHABET[PREFIX_BYTES[kind] >> 3];
}

/** Encodes a raw 32-byte Ed25519 public key as a 56-character nkey. */
export function encodePublicKey(kind: KeyKind, raw: Uint8Array): string {
  checkKind(kind, "encode public key");
  checkRawLength(raw, "encode public key");
  const body = new Uint8Array(1 + KEY_LENGTH);
  body[0] = PREFIX_BYTES[kind];
  body.set(raw, 1);
  return base32Encode(withChecksum(body));
}

/**
 * Decodes a public nkey, checking its length, alphabet, checksum and prefix
 * and, when `expected` is given, its kind.
 */
export function decodePublicKey(
  text: string,
  expected?: KeyKind,
): { kind: KeyKind; raw: Uint8Array<ArrayBuffer> } {
  const action = `Cannot decode public key "${text}"`;
  if (typeof text !== "string") {
    throw new TypeError(`Cannot decode public key: got ${typeof text}`);
  }
  if (text.startsWith("S")) {
    throw new TypeError("Cannot decode public key: text is a seed");
  }
  if (text.length !== PUBLIC_KEY_TEXT_LENGTH) {
    throw new SyntaxError(
      `${action}: expected ${PUBLIC_KEY_TEXT_LENGTH} characters, got ${text.length}`,
    );
  }
  const body = checkedBody(text, action);
  const kind = KIND_BY_PREFIX.get(body[0]);
  if (kind === undefined) {
    throw new SyntaxError(`${action}: unknown prefix "${text[0]}"`);
  }
  if (expected !== undefined && kind !== expected) {
    throw new TypeError(
      `${action}: expected ${describeKind(expected)}, got ${
        describeKind(kind)
      }`,
    );
  }
  return { kind, raw: body.slice(1) };
}

/** Encodes a raw 32-byte Ed25519 seed as a 58-character nkey seed. */
export function encodeSeed(kind: KeyKind, seed: Uint8Array): string {
  checkKind(kind, "encode seed");
  checkRawLength(seed, "encode seed");
  const prefix = PREFIX_BYTES[kind];
  const body = new Uint8Array(2 + KEY_LENGTH);
  body[0] = SEED_PREFIX | (prefix >> 5);
  body[1] = (prefix & 31) << 3;
  body.set(seed, 2);
  return base32Encode(withChecksum(body));
}

/** Decodes a seed, checking its length, alphabet, checksum and prefixes. */
export function decodeSeed(
  text: string,
): { kind: KeyKind; seed: Uint8Array<ArrayBuffer> } {
  const action = "Cannot decode seed";
  if (typeof text !== "string") {
    throw new TypeError(`${action}: got ${typeof text}`);
  }
  if (text.length !== SEED_TEXT_LENGTH) {
    throw new SyntaxError(
      `${action}: expected ${SEED_TEXT_LENGTH} characters, got ${text.length}`,
    );
  }
  const body = checkedBody(text, action);
  if ((body[0] & 0xf8) !== SEED_PREFIX) {
    throw new SyntaxError(`${action}: text does not start with "S"`);
  }
  const prefix = ((body[0] & 7) << 5) | (body[1] >> 3);
  const kind = KIND_BY_PREFIX.get(prefix);
  if (kind === undefined || (body[1] & 7) !== 0) {
    throw new SyntaxError(`${action}: unknown key kind after "S"`);
  }
  return { kind, seed: body.slice(2) };
}

/** Whether `text` is a well-formed public nkey (of `kind`, if given). */
export function isPublicKey(text: string, kind?: KeyKind): boolean {
  try {
    decodePublicKey(text, kind);
    return true;
  } catch {
    return false;
  }
}

/** "an account key (A)", for messages. */
export function describeKind(kind: KeyKind): string {
  const article = /^[aeio]/.test(kind) ? "an" : "a";
  return `${article} ${kind} key (${kindLetter(kind)})`;
}

/** CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    }
    crc &= 0xffff;
  }
  return crc;
}

/** RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let text = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) text += ALPHABET[(buffer << (5 - bits)) & 31];
  return text;
}

/**
 * Decodes RFC 4648 base32 without padding; leftover bits past the last
 * whole byte are dropped.
 */
export function base32Decode(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let position = 0; position < text.length; position++) {
    const value = ALPHABET.indexOf(text[position]);
    if (value < 0) {
      throw new SyntaxError(
        `Cannot decode base32: bad character at offset ${position}`,
      );
    }
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

/** Decodes the base32 text and returns it without its valid checksum. */
function checkedBody(text: string, action: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = base32Decode(text);
  } catch (cause) {
    throw new SyntaxError(`${action}: not base32`, { cause });
  }
  const body = bytes.subarray(0, bytes.length - 2);
  const stored = bytes[bytes.length - 2] | (bytes[bytes.length - 1] << 8);
  if (crc16(body) !== stored) {
    throw new SyntaxError(`${action}: checksum mismatch`);
  }
  return body;
}

function withChecksum(body: Uint8Array): Uint8Array {
  const crc = crc16(body);
  const out = new Uint8Array(body.length + 2);
  out.set(body);
  out[body.length] = crc & 0xff;
  out[body.length + 1] = crc >> 8;
  return out;
}

function checkKind(kind: KeyKind, action: string): void {
  if (!Object.hasOwn(PREFIX_BYTES, kind)) {
    throw new TypeError(`Cannot ${action}: unknown key kind "${kind}"`);
  }
}

function checkRawLength(raw: Uint8Array, action: string): void {
  if (raw.length !== KEY_LENGTH) {
    throw new RangeError(
      `Cannot ${action}: expected ${KEY_LENGTH} bytes, got ${raw.length}`,
    );
  }
}
