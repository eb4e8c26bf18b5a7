import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  ClaimsError,
  describeClaims,
  moduleHash,
  readClaims,
  verifyModule,
} from "../runtime/claims.ts";
import type { ClaimsCheck, VerifyOptions } from "../runtime/claims.ts";
import { signModule } from "../runtime/claims_sign.ts";
import type { SignOptions } from "../runtime/claims_sign.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import type { KeyPair } from "../runtime/ed25519.ts";
import { decodeJwt, signJwt } from "../runtime/jwt.ts";
import {
  readSections,
  withCustomSection,
  withoutCustomSections,
} from "../runtime/wasm_sections.ts";
import { wat } from "./wat.ts";

const unsigned = await wat(`(module
  (memory (export "memory") 1)
  (func (export "answer") (result i32) i32.const 42))`);
const account = await generateKeyPair("account");
const module = await generateKeyPair("module");
const T0 = Date.UTC(2026, 0, 1);

function sign(extra: Partial<SignOptions> = {}): Promise<Uint8Array> {
  return signModule(unsigned, {
    issuer: account,
    subject: module,
    name: "Answer",
    caps: ["wascc:keyvalue", "wascc:http_server"],
    tags: ["test"],
    rev: 3,
    ver: "1.2.0",
    now: () => T0,
    ...extra,
  });
}

function verifyAt(bytes: Uint8Array, ms: number, extra: VerifyOptions = {}) {
  return verifyModule(bytes, { now: () => ms, ...extra });
}

/** The module carrying `token` in its jwt section instead. */
function withToken(bytes: Uint8Array, token: string): Uint8Array {
  return withCustomSection(
    withoutCustomSections(bytes, "jwt"),
    "jwt",
    new TextEncoder().encode(token),
  );
}

/** Re-signs the signed module's claims, changed by `edit`, with `key`. */
async function resigned(
  bytes: Uint8Array,
  key: KeyPair,
  edit: (payload: Record<string, unknown>) => void = () => {},
  header?: Record<string, unknown>,
): Promise<Uint8Array> {
  const { payload } = decodeJwt(readClaims(bytes).token);
  edit(payload);
  return withToken(bytes, await signJwt(payload, key, header));
}

async function rejection(
  verifying: Promise<unknown>,
  check: ClaimsCheck,
): Promise<ClaimsError> {
  const outcome = await verifying.then(() => "accepted", (error) => error);
  assert.instance(outcome, ClaimsError, `expected a "${check}" rejection`);
  const error = outcome as ClaimsError;
  assert.is(error.check, check, error.message);
  assert.match(error.message, /^Cannot verify claims: /);
  return error;
}

const signing = suite("signModule");

signing(
  "signs a module whose claims verify and report their fields",
  async () => {
    const signed = await sign();
    const claims = await verifyAt(signed, T0);
    assert.is(claims.name, "Answer");
    assert.equal(claims.caps, ["wascc:keyvalue", "wascc:http_server"]);
    assert.equal(claims.tags, ["test"]);
    assert.is(claims.rev, 3);
    assert.is(claims.ver, "1.2.0");
    assert.is(claims.provider, false);
    assert.is(claims.issuer, account.publicKey);
    assert.is(claims.subject, module.publicKey);
    assert.is(claims.issuedAt, T0 / 1000);
    assert.is(claims.expires, undefined);
    assert.is(claims.hash, await moduleHash(unsigned));
    assert.match(claims.hash, /^[0-9A-F]{64}$/);
  },
);

signing(
  "keeps the module runnable with the section appended last",
  async () => {
    const signed = await sign();
    const sections = readSections(signed);
    assert.is(sections.at(-1)?.name, "jwt");
    const { instance } = await WebAssembly.instantiate(
      new Uint8Array(signed),
    );
    assert.is((instance.exports.answer as () => number)(), 42);
  },
);

signing("replaces the jwt section when signing again", async () => {
  const first = await sign({ name: "First" });
  const second = await signModule(first, {
    issuer: account,
    subject: module,
    name: "Second",
  });
  const jwtSections = readSections(second).filter((s) => s.name === "jwt");
  assert.is(jwtSections.length, 1);
  assert.is(readClaims(second).name, "Second");
  assert.equal(readClaims(second).caps, []);
  assert.ok(await verifyModule(second));
});

signing("hashes the module without its jwt section", async () => {
  assert.is(await moduleHash(await sign()), await moduleHash(unsigned));
});

signing("refuses an issuer that is not an account key", async () => {
  try {
    await sign({ issuer: await generateKeyPair("user") });
    assert.unreachable("a user key signed a module");
  } catch (error) {
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /issuer must be an account key/);
  }
});

signing("accepts a service subject only for a provider", async () => {
  const service = await generateKeyPair("service");
  const provider = await sign({ subject: service, provider: true });
  const claims = await verifyAt(provider, T0);
  assert.ok(claims.provider);
  assert.is(claims.subject[0], "V");
  try {
    await sign({ subject: service });
    assert.unreachable("an actor was signed with a service subject");
  } catch (error) {
    assert.instance(error, TypeError);
  }
});

signing("describes the claims for people", async () => {
  const text = describeClaims(await verifyAt(await sign(), T0));
  assert.match(text, /^kind {7}actor$/m);
  assert.match(text, /^name {7}Answer$/m);
  assert.match(text, new RegExp(`^account {4}${account.publicKey}$`, "m"));
  assert.match(text, new RegExp(`^module {5}${module.publicKey}$`, "m"));
  assert.match(text, /^caps {7}wascc:keyvalue, wascc:http_server$/m);
  assert.match(text, /^revision {3}3$/m);
  assert.match(text, /^issued {5}2026-01-01T00:00:00Z$/m);
  assert.match(text, /^expires {4}never$/m);
});

signing.run();

const verifying = suite("verifyModule");

verifying("rejects an unsigned module", async () => {
  const error = await rejection(verifyAt(unsigned, T0), "missing");
  assert.is(
    error.message,
    'Cannot verify claims: no "jwt" custom section (module is unsigned)',
  );
  assert.throws(() => readClaims(unsigned), /^Cannot read claims: no "jwt"/);
});

verifying("rejects malformed tokens", async () => {
  const signed = await sign();
  const [header, payload, signature] = readClaims(signed).token.split(".");
  const notJson = btoa("{oops").replaceAll("=", "");
  const malformed = [
    `${header}.${payload}`,
    `${header}.${payload}.${signature}.${signature}`,
    `${header}.${payload}!.${signature}`,
    `${header}.${notJson}.${signature}`,
    "",
  ];
  for (const token of malformed) {
    await rejection(verifyAt(withToken(signed, token), T0), "malformed");
  }
});

verifying("rejects claims with fields of the wrong type", async () => {
  const signed = await resigned(await sign(), account, (payload) => {
    (payload.wascap as Record<string, unknown>).caps = "wascc:keyvalue";
  });
  const error = await rejection(verifyAt(signed, T0), "malformed");
  assert.match(error.message, /claim "caps" is not a list of strings/);
});

verifying("rejects a header with another alg", async () => {
  const signed = await sign();
  const other = await resigned(signed, account, undefined, {
    typ: "jwt",
    alg: "HS256",
  });
  await rejection(verifyAt(other, T0), "header");
  const upper = await resigned(signed, account, undefined, {
    typ: "JWT",
    alg: "Ed25519",
  });
  assert.ok(await verifyAt(upper, T0));
});

verifying("rejects a module whose code changed after signing", async () => {
  const signed = new Uint8Array(await sign());
  const code = readSections(signed).find((section) => section.id === 10)!;
  const constant = signed.indexOf(42, code.payloadStart);
  assert.ok(constant > 0 && constant < code.end);
  signed[constant] = 41;
  const error = await rejection(verifyAt(signed, T0), "hash");
  const claimed = readClaims(signed).hash;
  const actual = await moduleHash(signed);
  assert.is(
    error.message,
    `Cannot verify claims: module hash mismatch (claims say "${claimed}", ` +
      `module is "${actual}")`,
  );
});

verifying("rejects claims re-signed by another account", async () => {
  const forger = await generateKeyPair("account");
  const forged = await resigned(await sign(), forger, (payload) => {
    (payload.wascap as Record<string, unknown>).caps = ["wascc:blobstore"];
  });
  assert.is(readClaims(forged).issuer, account.publicKey);
  const error = await rejection(verifyAt(forged, T0), "signature");
  assert.is(
    error.message,
    `Cannot verify claims: signature does not match issuer ` +
      `"${account.publicKey}"`,
  );
});

verifying("rejects an issuer that is not an account key", async () => {
  const user = await generateKeyPair("user");
  const signed = await resigned(await sign(), user, (payload) => {
    payload.iss = user.publicKey;
  });
  await rejection(verifyAt(signed, T0), "issuer");
});

verifying("rejects an actor subject that is not a module key", async () => {
  const signed = await resigned(await sign(), account, (payload) => {
    payload.sub = account.publicKey;
  });
  await rejection(verifyAt(signed, T0), "subject");
});

verifying("rejects a token expired beyond the clock skew", async () => {
  const signed = await sign({ expiresInSeconds: 60 });
  const error = await rejection(
    verifyAt(signed, T0 + (60 + 301) * 1000),
    "expired",
  );
  assert.is(
    error.message,
    "Cannot verify claims: token expired at 2026-01-01T00:01:00Z",
  );
});

verifying("accepts a token expired within the clock skew", async () => {
  const signed = await sign({ expiresInSeconds: 60 });
  const claims = await verifyAt(signed, T0 + (60 + 299) * 1000);
  assert.is(claims.expires, T0 / 1000 + 60);
  await rejection(
    verifyAt(signed, T0 + (60 + 11) * 1000, { skewSeconds: 10 }),
    "expired",
  );
});

verifying("rejects a token not valid until beyond the clock skew", async () => {
  const signed = await sign({ notBeforeSeconds: 3600 });
  await rejection(verifyAt(signed, T0), "not_yet_valid");
  assert.ok(await verifyAt(signed, T0 + (3600 - 299) * 1000));
});

verifying("accepts only allowed issuers when a list is given", async () => {
  const signed = await sign();
  const other = await generateKeyPair("account");
  const error = await rejection(
    verifyAt(signed, T0, { allowedIssuers: [other.publicKey] }),
    "issuer_not_allowed",
  );
  assert.is(
    error.message,
    `Cannot verify claims: issuer "${account.publicKey}" is not allowed`,
  );
  const allowed = [other.publicKey, account.publicKey];
  assert.ok(await verifyAt(signed, T0, { allowedIssuers: allowed }));
});

verifying.run();
