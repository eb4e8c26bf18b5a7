/**
 * Signing a module: embedding wascap claims, signed by an account key, in
 * a `jwt` custom section at the module's end.
 *
 * @module
 */
import { CLAIMS_SECTION, moduleHash } from "./claims.ts";
import type { KeyPair } from "./ed25519.ts";
import { newTokenId, signJwt } from "./jwt.ts";
import { describeKind } from "./nkeys.ts";
import { withCustomSection, withoutCustomSections } from "./wasm_sections.ts";

/** What to write into a module's claims. */
export interface SignOptions {
  /** The signing account key (`A…`): becomes `iss`. */
  issuer: KeyPair;
  /** The module's own key (`M…`, or `V…` for a provider): becomes `sub`. */
  subject: KeyPair;
  /** A human-readable name of the module. */
  name: string;
  /** Capability ids the module may call. */
  caps?: string[];
  /** Free-form labels of the module; none if absent. */
  tags?: string[];
  /** The module's revision number; higher is newer. */
  rev?: number;
  /** The module's version text, such as `1.2.0`. */
  ver?: string;
  /** Mark the module as a capability provider. */
  provider?: boolean;
  /** Lifetime from now; no expiry if absent. */
  expiresInSeconds?: number;
  /** Delay from now before the module may run; none if absent. */
  notBeforeSeconds?: number;
  /** The current time in milliseconds; `Date.now` by default. */
  now?: () => number;
}

/**
 * Returns the module with fresh signed claims in a `jwt` section appended
 * last; any `jwt` section it had is removed first.
 */
export async function signModule(
  bytes: Uint8Array,
  options: SignOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  checkKeys(options);
  const unsigned = withoutCustomSections(bytes, CLAIMS_SECTION);
  const hash = await moduleHash(unsigned);
  const token = await signJwt(claimsPayload(hash, options), options.issuer);
  return withCustomSection(
    unsigned,
    CLAIMS_SECTION,
    new TextEncoder().encode(token),
  );
}

/** The claims in wascap's field order, optional fields left out. */
function claimsPayload(
  hash: string,
  options: SignOptions,
): Record<string, unknown> {
  const issuedAt = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const after = (seconds?: number) =>
    seconds === undefined ? undefined : issuedAt + Math.floor(seconds);
  return dropUndefined({
    exp: after(options.expiresInSeconds),
    jti: newTokenId(),
    iat: issuedAt,
    iss: options.issuer.publicKey,
    sub: options.subject.publicKey,
    nbf: after(options.notBeforeSeconds),
    wascap: dropUndefined({
      name: options.name,
      hash,
      tags: options.tags ?? [],
      caps: options.caps ?? [],
      rev: options.rev,
      ver: options.ver,
      prov: options.provider ?? false,
    }),
  });
}

function checkKeys(options: SignOptions): void {
  if (options.issuer.kind !== "account") {
    throw new TypeError(
      `Cannot sign module "${options.name}": issuer must be ${
        describeKind("account")
      }, got ${describeKind(options.issuer.kind)}`,
    );
  }
  const subject = options.subject.kind;
  const allowed = subject === "module" ||
    (subject === "service" && options.provider === true);
  if (!allowed) {
    throw new TypeError(
      `Cannot sign module "${options.name}": subject must be ${
        describeKind("module")
      }, got ${describeKind(subject)}`,
    );
  }
}

function dropUndefined(
  record: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  );
}
