import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadNkeys } from "../deps.ts";
import {
  generateKeyPair,
  keyPairFromSeed,
  verifySignature,
} from "../runtime/ed25519.ts";
import {
  base32Decode,
  base32Encode,
  crc16,
  decodePublicKey,
  decodeSeed,
  encodePublicKey,
  encodeSeed,
  isPublicKey,
} from "../runtime/nkeys.ts";
import type { KeyKind } from "../runtime/nkeys.ts";

const nkeys = await loadNkeys();
const text = new TextEncoder();

function randomBytes(length = 32): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** The key text with one character changed to another base32 letter. */
function withCharacterChanged(key: string, index: number): string {
  const replacement = key[index] === "A" ? "B" : "A";
  return key.slice(0, index) + replacement + key.slice(index + 1);
}

/** A well-checksummed 56-character key with any prefix byte. */
function keyWithPrefixByte(prefix: number): string {
  const body = new Uint8Array(33);
  body[0] = prefix;
  body.set(randomBytes(), 1);
  const crc = crc16(body);
  return base32Encode(Uint8Array.of(...body, crc & 0xff, crc >> 8));
}

const codec = suite("nkeys");

codec("computes the CRC-16/XMODEM check value", () => {
  assert.is(crc16(text.encode("123456789")), 0x31c3);
});

codec("writes RFC 4648 base32 without padding", () => {
  assert.is(base32Encode(text.encode("foobar")), "MZXW6YTBOI");
  assert.equal(base32Decode("MZXW6YTBOI"), text.encode("foobar"));
  assert.throws(() => base32Decode("mzxw"), /bad character at offset 0/);
});

codec("round-trips a module public key", () => {
  const raw = randomBytes();
  const key = encodePublicKey("module", raw);
  assert.is(key.length, 56);
  assert.is(key[0], "M");
  const decoded = decodePublicKey(key, "module");
  assert.is(decoded.kind, "module");
  assert.equal(decoded.raw, raw);
  assert.ok(isPublicKey(key, "module"));
  assert.not.ok(isPublicKey(key, "account"));
});

codec("round-trips seeds of every kind", () => {
  const kinds: [KeyKind, string][] = [
    ["account", "A"],
    ["cluster", "C"],
    ["module", "M"],
    ["server", "N"],
    ["operator", "O"],
    ["user", "U"],
    ["service", "V"],
  ];
  for (const [kind, letter] of kinds) {
    const seed = randomBytes();
    const encoded = encodeSeed(kind, seed);
    assert.is(encoded.length, 58);
    assert.is(encoded.slice(0, 2), `S${letter}`);
    assert.equal(decodeSeed(encoded), { kind, seed });
    assert.is(encodePublicKey(kind, seed)[0], letter);
  }
});

codec("rejects a module key whose checksum does not match", () => {
  const key = encodePublicKey("module", randomBytes());
  const damaged = withCharacterChanged(key, 20);
  assert.throws(() => decodePublicKey(damaged), /checksum mismatch/);
  assert.not.ok(isPublicKey(damaged));
});

codec("rejects a module seed whose checksum does not match", () => {
  const seed = encodeSeed("module", randomBytes());
  assert.throws(
    () => decodeSeed(withCharacterChanged(seed, 30)),
    (error: Error) =>
      /checksum mismatch/.test(error.message) &&
      !error.message.includes(seed.slice(2, 20)),
  );
});

codec("rejects a key of another kind than expected", () => {
  const key = encodePublicKey("account", randomBytes());
  assert.throws(
    () => decodePublicKey(key, "module"),
    (error: Error) =>
      error instanceof TypeError &&
      error.message ===
        `Cannot decode public key "${key}": expected a module key (M), ` +
          "got an account key (A)",
  );
});

codec("rejects a prefix that names no kind of key", () => {
  const key = keyWithPrefixByte(8);
  assert.is(key[0], "B");
  assert.throws(() => decodePublicKey(key), /unknown prefix "B"/);
});

codec("rejects wrong lengths and characters outside base32", () => {
  const key = encodePublicKey("module", randomBytes());
  assert.throws(() => decodePublicKey(key.slice(1)), /expected 56 characters/);
  assert.throws(() => decodePublicKey(key.toLowerCase()), /not base32/);
  assert.throws(() => decodeSeed(key), /expected 58 characters/);
});

codec("refuses a seed given as a public key without quoting it", () => {
  const seed = encodeSeed("module", randomBytes());
  assert.throws(
    () => decodePublicKey(seed),
    (error: Error) => !error.message.includes(seed.slice(1)),
  );
  assert.not.ok(isPublicKey(seed));
});

codec.run();

const interop = suite("nkeys interop");

const creators = {
  account: nkeys.createAccount,
  server: nkeys.createServer,
  user: nkeys.createUser,
};

for (const [kind, create] of Object.entries(creators)) {
  interop(`loads a ${kind} key pair made by @nats-io/nkeys`, async () => {
    const theirs = create();
    const seed = new TextDecoder().decode(theirs.getSeed());
    const ours = await keyPairFromSeed(seed);
    assert.is(ours.kind, kind);
    assert.is(ours.publicKey, theirs.getPublicKey());
    assert.is(decodePublicKey(theirs.getPublicKey(), ours.kind).kind, kind);
  });

  interop(`cross-verifies ${kind} signatures both ways`, async () => {
    const theirs = create();
    const ours = await keyPairFromSeed(
      new TextDecoder().decode(theirs.getSeed()),
    );
    const data = text.encode(`payload for a ${kind} key`);
    const theirSignature = theirs.sign(data);
    const ourSignature = await ours.sign(data);
    assert.ok(
      await verifySignature(ours.publicKey, theirSignature, data),
    );
    const verifier = nkeys.fromPublic(ours.publicKey);
    assert.ok(verifier.verify(data, ourSignature));
    assert.equal(ourSignature, theirSignature);
  });
}

interop("hands our seeds and public keys to @nats-io/nkeys", async () => {
  for (const kind of ["account", "server", "user"] as const) {
    const ours = await generateKeyPair(kind);
    const loaded = nkeys.fromSeed(text.encode(ours.seed));
    assert.is(loaded.getPublicKey(), ours.publicKey);
    assert.is(nkeys.fromPublic(ours.publicKey).getPublicKey(), ours.publicKey);
  }
});

interop.run();

const ed25519 = suite("Ed25519");

ed25519("signs and verifies with a module key", async () => {
  const pair = await generateKeyPair("module");
  assert.is(pair.publicKey[0], "M");
  assert.is(pair.seed.slice(0, 2), "SM");
  const data = text.encode("module bytes");
  const signature = await pair.sign(data);
  assert.is(signature.length, 64);
  assert.ok(await verifySignature(pair.publicKey, signature, data));
  assert.is((await keyPairFromSeed(pair.seed)).publicKey, pair.publicKey);
});

ed25519(
  "rejects tampered data, another key and a short signature",
  async () => {
    const pair = await generateKeyPair("account");
    const other = await generateKeyPair("account");
    const data = text.encode("claims");
    const signature = await pair.sign(data);
    const tampered = text.encode("claimz");
    assert.not.ok(await verifySignature(pair.publicKey, signature, tampered));
    assert.not.ok(await verifySignature(other.publicKey, signature, data));
    const short = signature.subarray(0, 63);
    assert.not.ok(await verifySignature(pair.publicKey, short, data));
  },
);

ed25519("throws on a malformed public key", async () => {
  const damaged = withCharacterChanged(
    (await generateKeyPair("account")).publicKey,
    10,
  );
  try {
    await verifySignature(damaged, new Uint8Array(64), new Uint8Array());
    assert.unreachable("a damaged key was accepted");
  } catch (error) {
    assert.instance(error, SyntaxError);
  }
});

ed25519.run();
