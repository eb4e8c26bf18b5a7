/**
 * Ed25519 signing and verification through WebCrypto, with keys in their
 * nkeys text form.
 *
 * @module
 */
import {
  decodePublicKey,
  decodeSeed,
  encodePublicKey,
  encodeSeed,
} from "./nkeys.ts";
import type { KeyKind } from "./nkeys.ts";

/** A key that can sign: its kind, public key and seed as nkeys text. */
export interface KeyPair {
  /** The key's role, such as `account` or `module`. */
  kind: KeyKind;
  /** The 56-character public key (`A…`, `M…`, …). */
  publicKey: string;
  /** The 58-character seed (`S…`): a secret. */
  seed: string;
  /** The 64-byte Ed25519 signature of `data`. */
  sign(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>>;
}

const ALGORITHM = "Ed25519";
const SIGNATURE_LENGTH = 64;
const SEED_LENGTH = 32;

/** DER of a PKCS#8 Ed25519 private key, up to the 32 seed bytes. */
const PKCS8_PREFIX = Uint8Array.from(
  "302e020100300506032b657004220420".match(/../g)!,
  (pair) => parseInt(pair, 16),
);

/** Imported public keys by their text; bounded so it cannot grow unchecked. */
const verifyKeys = new Map<string, Promise<CryptoKey>>();
const VERIFY_KEY_CACHE_LIMIT = 4096;

/** Loads the key pair a seed (`S…`) describes. */
export async function keyPairFromSeed(seedText: string): Promise<KeyPair> {
  const { kind, seed } = decodeSeed(seedText);
  const privateKey = await importSeed(seed);
  const raw = await publicKeyOf(privateKey);
  const publicKey = encodePublicKey(kind, raw);
  return {
    kind,
    publicKey,
    seed: seedText,
    async sign(data) {
      const signature = await crypto.subtle.sign(
        ALGORITHM,
        privateKey,
        asBufferSource(data),
      );
      return new Uint8Array(signature);
    },
  };
}

/** A fresh random key pair of `kind`. */
export async function generateKeyPair(kind: KeyKind): Promise<KeyPair> {
  const seed = crypto.getRandomValues(new Uint8Array(SEED_LENGTH));
  return await keyPairFromSeed(encodeSeed(kind, seed));
}

/**
 * Whether `signature` is the Ed25519 signature of `data` by the key
 * `publicKey` (any kind). A malformed public key throws; a signature of the
 * wrong length is simply not valid.
 */
export async function verifySignature(
  publicKey: string,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  const key = await verifyKeyOf(publicKey);
  if (signature.length !== SIGNATURE_LENGTH) return false;
  return await crypto.subtle.verify(
    ALGORITHM,
    key,
    asBufferSource(signature),
    asBufferSource(data),
  );
}

function verifyKeyOf(publicKey: string): Promise<CryptoKey> {
  const cached = verifyKeys.get(publicKey);
  if (cached) return cached;
  const { raw } = decodePublicKey(publicKey);
  const imported = crypto.subtle.importKey("raw", raw, ALGORITHM, true, [
    "verify",
  ]);
  if (verifyKeys.size >= VERIFY_KEY_CACHE_LIMIT) {
    verifyKeys.delete(verifyKeys.keys().next().value as string);
  }
  verifyKeys.set(publicKey, imported);
  return imported;
}

async function importSeed(seed: Uint8Array): Promise<CryptoKey> {
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + seed.length);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(seed, PKCS8_PREFIX.length);
  try {
    return await crypto.subtle.importKey("pkcs8", pkcs8, ALGORITHM, true, [
      "sign",
    ]);
  } finally {
    pkcs8.fill(0);
  }
}

/** The raw public key of a private key, read from its JWK form (`x`). */
async function publicKeyOf(privateKey: CryptoKey): Promise<Uint8Array> {
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  if (typeof jwk.x !== "string") {
    throw new TypeError("Cannot load key pair: no public key in its JWK form");
  }
  const base64 = jwk.x.replaceAll("-", "+").replaceAll("_", "/");
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

/** WebCrypto takes only views of a plain ArrayBuffer. */
function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? bytes as Uint8Array<ArrayBuffer>
    : new Uint8Array(bytes);
}
