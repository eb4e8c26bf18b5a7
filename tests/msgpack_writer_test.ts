import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import { MsgpackWriter } from "../runtime/msgpack_writer.ts";

const test = suite("msgpack writer");

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

const strings = [
  "",
  "GET",
  "x".repeat(31),
  "x".repeat(32),
  "y".repeat(255),
  "y".repeat(256),
  "z".repeat(70_000),
  "façade",
  "√".repeat(11),
  "é".repeat(200),
  "日本語".repeat(30),
  "emoji 🛰️ and text",
  "a".repeat(60) + "ü",
];

test("writes strings as the generic encoder does, at every size", () => {
  for (const value of strings) {
    const written = new MsgpackWriter(8).string(value).finish();
    assert.is(hex(written), hex(encode(value)), `string of ${value.length}`);
  }
});

test("writes bytes as bin at every size", () => {
  for (const size of [0, 1, 255, 256, 65_535, 65_536]) {
    const bytes = new Uint8Array(size).map((_, index) => index % 251);
    const written = new MsgpackWriter(4).bin(bytes).finish();
    assert.is(hex(written), hex(encode(bytes)), `bin of ${size}`);
  }
});

test("writes byte arrays as arrays of integers at every size", () => {
  for (const size of [0, 15, 16, 65_535, 65_536]) {
    const bytes = new Uint8Array(size).map((_, index) => index % 256);
    const written = new MsgpackWriter(4).byteArray(bytes).finish();
    assert.is(hex(written), hex(encode(Array.from(bytes))), `${size} bytes`);
  }
});

test("writes maps of every header size, nil and raw values", () => {
  for (const size of [0, 15, 16, 65_536]) {
    const writer = new MsgpackWriter(1).map(size);
    const expected: Record<string, null> = {};
    for (let index = 0; index < size; index++) {
      writer.string(`k${index}`).nil();
      expected[`k${index}`] = null;
    }
    assert.is(hex(writer.finish()), hex(encode(expected)), `map of ${size}`);
  }
  const raw = encode({ nested: [1, "two"] });
  const written = new MsgpackWriter().map(1).string("a").raw(raw).finish();
  assert.equal(decode(written), { a: { nested: [1, "two"] } });
});

test.run();
