import { suite } from "uvu";
import * as assert from "uvu/assert";
import { instrument } from "../runtime/wasm_instrument.ts";
import {
  assertSafe,
  COUNTER,
  options,
  utf8,
} from "./wasm_instrument_harness.ts";
import { wat } from "./wat.ts";

const s = suite("instrument: bad input");

s("names an unknown instruction and its function", () => {
  const unknown: [number[], string][] = [
    [[0xfb, 0x01], "0xfb 0x01"],
    [[0x27], "0x27"],
    [[0xfc, 0x12], "0xfc 0x12"],
    [[0xfd, 0x9a, 0x01], "0xfd 0x9a"],
    [[0xfe, 0x04], "0xfe 0x04"],
  ];
  for (const [instruction, name] of unknown) {
    const body = [0x00, ...instruction, 0x0b];
    const code = [0x02, 0x02, 0x00, 0x0b, body.length, ...body];
    const bytes = Uint8Array.from([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type () -> ()
      ...[0x02, 0x07, 0x01, 0x01, 0x65, 0x01, 0x66, 0x00, 0x00], // import e.f
      ...[0x03, 0x03, 0x02, 0x00, 0x00], // two functions
      ...[0x0a, code.length, ...code],
    ]);
    assert.throws(
      () => instrument(bytes, options),
      (error: Error) =>
        error instanceof SyntaxError &&
        error.message ===
          `Cannot instrument module: unknown instruction ${name} in function 2`,
      name,
    );
  }
});

s("rejects garbage with a SyntaxError", () => {
  const garbage = [
    new Uint8Array(),
    utf8("not a module at all"),
    Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01]),
    Uint8Array.from([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...[0x01, 0x06, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x60], // 2^32-1 types
    ]),
    Uint8Array.from([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...[0x0a, 0x06, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff], // LEB too long
    ]),
  ];
  for (const bytes of garbage) {
    assert.throws(() => instrument(bytes, options), SyntaxError);
  }
});

s("gives a SyntaxError or a valid module for every truncation", async () => {
  const bytes = await wat(COUNTER);
  for (let length = 0; length < bytes.length; length++) {
    assertSafe(bytes.slice(0, length), `a prefix of ${length} bytes`);
  }
});

s("instruments every valid mutation and rejects the rest", async () => {
  const bytes = await wat(COUNTER);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 3000; round++) {
    const mutant = bytes.slice();
    const at = 8 + Math.floor(random() * (bytes.length - 8));
    mutant[at] = Math.floor(random() * 256);
    assertSafe(mutant, `mutation ${round} (byte ${at} set to ${mutant[at]})`);
  }
});

s("rejects a ceiling that is not a page count", async () => {
  const bytes = await wat(COUNTER);
  for (const maxMemoryPages of [-1, 1.5, 65537, NaN]) {
    assert.throws(() => instrument(bytes, { maxMemoryPages }), RangeError);
  }
});

s.run();
