import { suite } from "uvu";
import * as assert from "uvu/assert";
import { generateKeyPair } from "../runtime/ed25519.ts";
import {
  base64UrlDecode,
  base64UrlEncode,
  checkTimes,
  decodeJwt,
  hasStandardHeader,
  isSignedBy,
  newTokenId,
  signJwt,
} from "../runtime/jwt.ts";

/** A token wascap wrote for an actor (public test data, no secret). */
const WASCAP_TOKEN = "eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0." +
  "eyJqdGkiOiJTakI1Zm05NzRTanU5V01nVFVjaHNiIiwiaWF0IjoxNjQ0ODQzNzQzLCJp" +
  "c3MiOiJBQ09KSk42V1VQNE9ERDc1WEVCS0tUQ0NVSkpDWTVaS1E1NlhWS1lLNEJFSldH" +
  "VkFPT1FIWk1DVyIsInN1YiI6Ik1CQ0ZPUE02SlcyQVBKTFhKRDNaNU80Q043Q1BZSjJC" +
  "NEZUS0xKVVI1WVI1TUlUSVU3SEQzV0Q1Iiwid2FzY2FwIjp7Im5hbWUiOiJFY2hvIiwi" +
  "aGFzaCI6IjRDRUM2NzNBN0RDQ0VBNkE0MTY1QkIxOTU4MzJDNzkzNjQ3MUNGN0FCNDUw" +
  "MUY4MzdGOEQ2NzlGNDQwMEJDOTciLCJ0YWdzIjpbXSwiY2FwcyI6WyJ3YXNtY2xvdWQ6" +
  "aHR0cHNlcnZlciJdLCJyZXYiOjQsInZlciI6IjAuMy40IiwicHJvdiI6ZmFsc2V9fQ." +
  "ZWyD6VQqzaYM1beD2x9Fdw4o_Bavy3ZG703Eg4cjhyJwUKLDUiVPVhqHFE6IXdV4cW6j" +
  "93YbMT6VGq5iBDWmAg";

const jwt = suite("jwt");

jwt("verifies a token signed by wascap", async () => {
  const decoded = decodeJwt(WASCAP_TOKEN);
  assert.ok(hasStandardHeader(decoded.header));
  assert.is(
    decoded.payload.iss,
    "ACOJJN6WUP4ODD75XEBKKTCCUJJCY5ZKQ56XVKYK4BEJWGVAOOQHZMCW",
  );
  assert.ok(await isSignedBy(decoded, decoded.payload.iss as string));
  const forged = decodeJwt(
    WASCAP_TOKEN.replace(".eyJqdGkiOiJTak", ".eyJqdGkiOiJUak"),
  );
  assert.not.ok(await isSignedBy(forged, decoded.payload.iss as string));
});

jwt("signs with the standard header and no padding", async () => {
  const key = await generateKeyPair("server");
  const token = await signJwt({ jti: newTokenId(), sub: "x" }, key);
  assert.not.match(token, /[=+/]/);
  const decoded = decodeJwt(token);
  assert.equal(decoded.header, { typ: "jwt", alg: "Ed25519" });
  assert.is(decoded.payload.sub, "x");
  assert.is(decoded.signature.length, 64);
  assert.ok(await isSignedBy(decoded, key.publicKey));
});

jwt("accepts typ in either case and only the Ed25519 alg", () => {
  assert.ok(hasStandardHeader({ typ: "JWT", alg: "Ed25519" }));
  assert.not.ok(hasStandardHeader({ typ: "jwt", alg: "HS256" }));
  assert.not.ok(hasStandardHeader({ typ: "jws", alg: "Ed25519" }));
  assert.not.ok(hasStandardHeader({ alg: "Ed25519" }));
});

jwt("rejects tokens with 2 or 4 parts, bad base64 and bad JSON", () => {
  const [header, payload, signature] = WASCAP_TOKEN.split(".");
  assert.throws(
    () => decodeJwt(`${header}.${payload}`),
    /expected 3 parts, got 2/,
  );
  assert.throws(
    () => decodeJwt(`${WASCAP_TOKEN}.x`),
    /expected 3 parts, got 4/,
  );
  assert.throws(
    () => decodeJwt(`${header}.${payload}=.${signature}`),
    /base64url/,
  );
  const notJson = base64UrlEncode(new TextEncoder().encode("{nope"));
  assert.throws(
    () => decodeJwt(`${header}.${notJson}.${signature}`),
    /not JSON/,
  );
  const array = base64UrlEncode(new TextEncoder().encode("[1]"));
  assert.throws(
    () => decodeJwt(`${array}.${payload}.${signature}`),
    /not an object/,
  );
});

jwt("round-trips base64url of every length", () => {
  for (let length = 0; length < 8; length++) {
    const bytes = Uint8Array.from({ length }, (_, index) => 250 + index);
    assert.equal(base64UrlDecode(base64UrlEncode(bytes)), bytes);
  }
  assert.throws(() => base64UrlDecode("abcde"), SyntaxError);
});

jwt("tolerates clock skew on both exp and nbf", () => {
  const at = (seconds: number) => seconds * 1000;
  assert.is(checkTimes({ exp: 1000 }, at(1299), 300), undefined);
  assert.is(checkTimes({ exp: 1000 }, at(1301), 300), "expired");
  assert.is(checkTimes({ nbf: 1000 }, at(701), 300), undefined);
  assert.is(checkTimes({ nbf: 1000 }, at(699), 300), "not_yet_valid");
});

jwt("makes distinct 22-character token ids", () => {
  const ids = new Set(Array.from({ length: 100 }, newTokenId));
  assert.is(ids.size, 100);
  for (const id of ids) assert.match(id, /^[0-9A-Za-z]{22}$/);
});

jwt.run();
