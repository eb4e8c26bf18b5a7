import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encode as encodeAny } from "../runtime/codec.ts";
import { fieldNames, MsgpackReader } from "../runtime/msgpack_reader.ts";
import { MsgpackWriter } from "../runtime/msgpack_writer.ts";
import {
  decodeHttpResponse,
  type HttpResponseStruct,
} from "../providers/http_mapping.ts";

const test = suite("msgpack reader");

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

// Plain arrays, as guest memory and the network hand them over.
function encode(value: unknown): Uint8Array {
  return new Uint8Array(encodeAny(value));
}

test("reads strings of every size and script back", () => {
  const values = [
    "",
    "OK",
    "x".repeat(32),
    "x".repeat(33),
    "y".repeat(300),
    "z".repeat(70_000),
    "façade",
    "日本語".repeat(20),
    "emoji 🛰️",
  ];
  for (const value of values) {
    assert.is(new MsgpackReader(encode(value)).string(), value);
  }
});

test("reads unsigned integers and map sizes of every width", () => {
  for (const value of [0, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1]) {
    assert.is(new MsgpackReader(encode(value)).uint(), value);
  }
  for (const size of [0, 15, 16, 70_000]) {
    const map: Record<string, number> = {};
    for (let index = 0; index < size; index++) map[`k${index}`] = index;
    assert.is(new MsgpackReader(encode(map)).mapSize(), size);
  }
});

test("reads byte fields as bin, as integers and as nil", () => {
  const bytes = new Uint8Array(300).map((_, index) => index % 256);
  assert.equal(new MsgpackReader(encode(bytes)).bytes(), bytes);
  assert.equal(new MsgpackReader(encode(Array.from(bytes))).bytes(), bytes);
  assert.equal(new MsgpackReader(encode(null)).bytes(), new Uint8Array());
  const copied = new MsgpackReader(encode(bytes)).bytes(true)!;
  assert.equal(copied, bytes);
});

test("answers undefined for other shapes and cut input", () => {
  assert.is(new MsgpackReader(encode(-1)).uint(), undefined);
  assert.is(new MsgpackReader(encode(1.5)).uint(), undefined);
  assert.is(new MsgpackReader(encode(null)).string(), undefined);
  assert.is(new MsgpackReader(encode([1, 2])).mapSize(), undefined);
  assert.is(new MsgpackReader(encode([1, 300, -1])).bytes(), undefined);
  const cut = encode("a longer piece of text").subarray(0, 5);
  assert.is(new MsgpackReader(cut).string(), undefined);
  const cutBin = encode(new Uint8Array(10)).subarray(0, 6);
  assert.is(new MsgpackReader(cutBin).bytes(), undefined);
  assert.is(new MsgpackReader(new Uint8Array()).mapSize(), undefined);
});

test("matches field names without decoding them", () => {
  const names = fieldNames("status", "statusCode", "body");
  const reader = new MsgpackReader(encode(["statusCode", "body", "other"]));
  reader.bytes(); // not bytes: the reader stays where it was
  assert.is(reader.mapSize(), undefined);
  const keys = new MsgpackReader(
    new Uint8Array([...encode("statusCode"), ...encode("x")]),
  );
  assert.is(keys.oneOf(names), 1);
  assert.is(keys.oneOf(names), -1);
  assert.is(keys.oneOf(names), undefined);
});

test("an HTTP reply decodes alike in the usual shape and in others", () => {
  const none = new Uint8Array();
  const cases: [unknown, HttpResponseStruct][] = [
    // The usual shape, read in place.
    [
      { statusCode: 201, status: "Created", header: { a: "1" }, body: none },
      { statusCode: 201, status: "Created", header: { a: "1" }, body: none },
    ],
    [
      { statusCode: 404, status: "Not Found", header: {}, body: [104, 105] },
      {
        statusCode: 404,
        status: "Not Found",
        header: {},
        body: Uint8Array.of(104, 105),
      },
    ],
    // Other shapes, read by the lenient decoder.
    [
      { statusCode: 200, header: { n: 5, skip: [1] }, body: null },
      { statusCode: 200, status: "", header: { n: "5" }, body: none },
    ],
    [
      [500, "Oops", { x: "y" }, [1, 2]],
      {
        statusCode: 500,
        status: "Oops",
        header: { x: "y" },
        body: Uint8Array.of(1, 2),
      },
    ],
    [
      { status: "OK", extra: true, body: Uint8Array.of(7) },
      { statusCode: 200, status: "OK", header: {}, body: Uint8Array.of(7) },
    ],
  ];
  for (const [reply, expected] of cases) {
    const decoded = decodeHttpResponse(encode(reply));
    assert.equal(
      { ...decoded, body: Array.from(decoded.body) },
      { ...expected, body: Array.from(expected.body) },
      JSON.stringify(reply),
    );
  }
});

test.run();

const runs = suite("integer arrays with runs of low bytes");

runs("round-trip text, random bytes and their mixtures at odd offsets", () => {
  const text = new TextEncoder().encode("plain text, ".repeat(300));
  const random = crypto.getRandomValues(new Uint8Array(5000));
  const mixed = new Uint8Array([...text.subarray(0, 40), ...random, ...text]);
  for (const bytes of [text, random, mixed, mixed.subarray(3, 4097)]) {
    const written = new MsgpackWriter(16).byteArray(bytes).finish();
    assert.is(hex(written), hex(encode(Array.from(bytes))));
    // Read from an unaligned copy, with bytes after the value.
    const shifted = new Uint8Array(written.length + 5);
    shifted.set(written, 1);
    assert.equal(new MsgpackReader(shifted.subarray(1)).bytes(), bytes);
  }
});

runs.run();
