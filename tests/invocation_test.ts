import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import {
  decodeInvocation,
  decodeResponse,
  encodeInvocation,
  encodeResponse,
  type Invocation,
} from "../runtime/invocation.ts";
import { valueEnd } from "../runtime/msgpack_bytes.ts";

function sample(msg: Uint8Array): Invocation {
  return {
    origin: { kind: "actor", key: "M" + "A".repeat(55) },
    target: {
      kind: "capability",
      capabilityId: "wascc:keyvalue",
      binding: "default",
    },
    operation: "Get",
    msg,
    id: crypto.randomUUID(),
    encodedClaims: "a.b.c",
    hostId: "N" + "B".repeat(55),
  };
}

function noise(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) {
    bytes[index] = (index * 131 + 7) & 0xff;
  }
  return bytes;
}

const envelope = suite("Invocation envelope");

envelope("round-trips every size of msg, small to array32", () => {
  for (const length of [0, 1, 15, 16, 200, 511, 4096, 65535, 65536, 70000]) {
    const invocation = sample(noise(length));
    assert.equal(decodeInvocation(encodeInvocation(invocation)), invocation);
    const response = { msg: noise(length), invocationId: invocation.id };
    assert.equal(decodeResponse(encodeResponse(response)), {
      ...response,
      error: undefined,
    });
  }
});

envelope("writes msg as integers and entities as integer-keyed maps", () => {
  const plain = decode(encodeInvocation(sample(Uint8Array.of(1, 200))));
  assert.equal((plain as Record<string, unknown>).msg, [1, 200]);
  assert.equal(Object.keys(plain as object), [
    "origin",
    "target",
    "operation",
    "msg",
    "id",
    "encoded_claims",
    "host_id",
  ]);
  const origin = (plain as Record<string, Record<string, unknown>>).origin;
  assert.equal(origin, { 0: "M" + "A".repeat(55) });
});

envelope("accepts msg as bin and the struct as an array", () => {
  const invocation = sample(noise(2000));
  const asMap = encode({
    origin: new Map([[
      0,
      invocation.origin.kind === "actor" && "M" + "A".repeat(55),
    ]]),
    target: new Map([[1, { capid: "wascc:keyvalue", binding: "default" }]]),
    operation: "Get",
    msg: invocation.msg,
    id: invocation.id,
    encoded_claims: "a.b.c",
    host_id: invocation.hostId,
  });
  assert.equal(decodeInvocation(asMap), invocation);
  const asArray = encode([
    new Map([[0, "M" + "A".repeat(55)]]),
    new Map([[1, ["wascc:keyvalue", "default"]]]),
    "Get",
    Array.from(invocation.msg),
    invocation.id,
    "a.b.c",
    invocation.hostId,
  ]);
  assert.equal(decodeInvocation(asArray), invocation);
});

envelope("reads a large envelope of another shape leniently", () => {
  // Entity keys as text and a field this host does not know: not the
  // shape hosts send, so the lenient path reads it, msg as integers.
  const invocation = sample(noise(3000));
  const bytes = encode({
    origin: { "0": "M" + "A".repeat(55) },
    target: { "1": { capid: "wascc:keyvalue", binding: "default" } },
    operation: "Get",
    msg: Array.from(invocation.msg),
    id: invocation.id,
    encoded_claims: "a.b.c",
    host_id: invocation.hostId,
    extra: true,
  });
  assert.equal(decodeInvocation(bytes), invocation);
});

envelope(
  "refuses garbage and cut envelopes with a SyntaxError or TypeError",
  () => {
    const whole = encodeInvocation(sample(noise(3000)));
    for (
      const bad of [
        whole.subarray(0, whole.length - 10),
        Uint8Array.of(0xc1),
        encode({ origin: "nobody" }),
        encode({ origin: { 7: "x" }, target: { 0: "M" } }),
      ]
    ) {
      assert.throws(
        () => decodeInvocation(bad),
        (error: Error) =>
          error instanceof SyntaxError || error instanceof TypeError,
      );
    }
  },
);

envelope("finds the end of any MessagePack value", () => {
  for (
    const value of [
      null,
      true,
      -3,
      300,
      2 ** 40,
      1.5,
      "x".repeat(40),
      "y".repeat(300),
      new Uint8Array(70),
      [1, [2, { a: [3] }]],
      { nested: { deeper: ["a", null, 7] } },
    ]
  ) {
    const bytes = encode(value);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes);
    assert.is(valueEnd(padded, 0), bytes.length, JSON.stringify(value));
  }
});

envelope.run();
