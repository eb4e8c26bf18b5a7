import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, decodeStruct, encode } from "../runtime/codec.ts";
import { wat } from "./wat.ts";

const codec = suite("codec");

codec("decodes only the first value when a zero byte trails it", () => {
  const bytes = new Uint8Array([...encode({ value: 7 }), 0]);
  assert.equal(decode(bytes), { value: 7 });
});

codec("reads a struct sent as an array in field order", () => {
  const struct = decodeStruct(encode(["k", 3]), ["key", "value"]);
  assert.equal(struct, { key: "k", value: 3 });
});

codec("names the failure when the payload is not msgpack", () => {
  assert.throws(() => decode(new Uint8Array([0xc1])), /Cannot decode/);
  assert.throws(() => decode(new Uint8Array([0x92, 0x01])), /Cannot decode/);
});

codec.run();

const tools = suite("wat");
tools("compiles a module", async () => {
  const bytes = await wat(
    `(module (func (export "f") (result i32) i32.const 1))`,
  );
  const { instance } = await WebAssembly.instantiate(bytes);
  assert.is((instance.exports.f as () => number)(), 1);
});
tools.run();
