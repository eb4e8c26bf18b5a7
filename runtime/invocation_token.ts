/**
 * The anti-forgery token of a lattice invocation (spec §5): a JWT signed
 * by the sending host's server key over the invocation's id, its origin
 * and target URLs and a hash of its bytes.
 *
 * Signing and checking every invocation is the expensive part of a call
 * between hosts, so this uses `node:crypto`'s synchronous Ed25519 (about
 * 2–3× the rate of WebCrypto's promise-based calls on this machine; see
 * docs/lattice.md).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { entityUrl, type Invocation, targetUrl } from "./invocation.ts";
import {
  base64UrlEncode,
  checkTimes,
  decodeJwt,
  ENCODED_HEADER,
  hasStandardHeader,
  newTokenId,
} from "./jwt.ts";
import { decodePublicKey, decodeSeed, encodePublicKey } from "./nkeys.ts";

const PKCS8_PREFIX = hex("302e020100300506032b657004220420");
const SPKI_PREFIX = hex("302a300506032b6570032100");
const PUBLIC_KEY_CACHE_LIMIT = 1024;

/** Signs invocations with a host's server key. */
export class InvocationSigner {
  /** The host's server public key (`N…`). */
  readonly hostId: string;
  readonly #key: KeyObject;

  /** A signer for the server seed `seed` (`SN…`). */
  constructor(seed: string) {
    const decoded = decodeSeed(seed);
    if (decoded.kind !== "server") {
      throw new TypeError("Cannot sign invocations: not a server seed");
    }
    this.#key = createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, decoded.seed]),
      format: "der",
      type: "pkcs8",
    });
    const jwk = createPublicKey(this.#key).export({ format: "jwk" });
    this.hostId = encodePublicKey("server", Buffer.from(jwk.x!, "base64url"));
  }

  /** The token for an invocation whose other fields are final. */
  token(invocation: Omit<Invocation, "encodedClaims" | "hostId">): string {
    const origin = entityUrl(invocation.origin);
    const target = targetUrl(invocation);
    const claims = {
      jti: newTokenId(),
      iat: Math.floor(Date.now() / 1000),
      iss: this.hostId,
      sub: invocation.id,
      wascap: {
        target_url: target,
        origin_url: origin,
        hash: invocationHash(origin, target, invocation.msg),
      },
    };
    const input = `${ENCODED_HEADER}.${json(claims)}`;
    const signature = sign(null, Buffer.from(input), this.#key);
    return `${input}.${base64UrlEncode(signature)}`;
  }
}

/** What a receiving host accepts. */
export interface InvocationCheckOptions {
  /** Host keys allowed to invoke; empty or absent allows any. */
  trustedHosts?: ReadonlySet<string>;
  /** Clock skew tolerated on `exp` and `nbf`, in seconds. */
  skewSeconds?: number;
}

/**
 * Checks an invocation's token: header, signature by `iss`, `iss` equal to
 * `host_id` and trusted, `sub` equal to the id, times, both URLs and the
 * hash. Returns the failed check as a sentence, or undefined when valid.
 */
export function checkInvocation(
  invocation: Invocation,
  options: InvocationCheckOptions = {},
): string | undefined {
  let decoded;
  try {
    decoded = decodeJwt(invocation.encodedClaims);
  } catch (error) {
    return `token is malformed (${(error as Error).message})`;
  }
  const { header, payload } = decoded;
  if (!hasStandardHeader(header)) return "token header is not Ed25519 JWT";
  if (payload.iss !== invocation.hostId) {
    return "token issuer is not the sending host";
  }
  const trusted = options.trustedHosts;
  if (trusted && trusted.size > 0 && !trusted.has(invocation.hostId)) {
    return `host "${invocation.hostId}" is not trusted`;
  }
  const key = publicKeyOf(invocation.hostId);
  if (!key) return "sending host id is not a server key";
  if (
    !verify(null, Buffer.from(decoded.signingInput), key, decoded.signature)
  ) {
    return "token signature does not verify";
  }
  if (payload.sub !== invocation.id) {
    return "token subject is not the invocation id";
  }
  const time = checkTimes(
    payload as { exp?: number; nbf?: number },
    Date.now(),
    options.skewSeconds ?? 300,
  );
  if (time) return `token is ${time.replaceAll("_", " ")}`;
  return checkWascap(invocation, payload.wascap);
}

function checkWascap(
  invocation: Invocation,
  wascap: unknown,
): string | undefined {
  if (typeof wascap !== "object" || wascap === null) {
    return "token has no wascap claims";
  }
  const { target_url, origin_url, hash } = wascap as Record<string, unknown>;
  const origin = entityUrl(invocation.origin);
  const target = targetUrl(invocation);
  if (target_url !== target) return "token target URL does not match";
  if (origin_url !== origin) return "token origin URL does not match";
  if (hash !== invocationHash(origin, target, invocation.msg)) {
    return "invocation hash does not match";
  }
  return undefined;
}

/** Upper-case hex SHA-256 of origin URL, target URL and message bytes. */
export function invocationHash(
  origin: string,
  target: string,
  msg: Uint8Array,
): string {
  return createHash("sha256").update(origin).update(target).update(msg)
    .digest("hex").toUpperCase();
}

const publicKeys = new Map<string, KeyObject | undefined>();

function publicKeyOf(hostId: string): KeyObject | undefined {
  if (publicKeys.has(hostId)) return publicKeys.get(hostId);
  let key: KeyObject | undefined;
  try {
    const { kind, raw } = decodePublicKey(hostId);
    if (kind === "server") {
      key = createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, raw]),
        format: "der",
        type: "spki",
      });
    }
  } catch {
    key = undefined;
  }
  if (publicKeys.size >= PUBLIC_KEY_CACHE_LIMIT) publicKeys.clear();
  publicKeys.set(hostId, key);
  return key;
}

function json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!, (pair) => parseInt(pair, 16));
}
