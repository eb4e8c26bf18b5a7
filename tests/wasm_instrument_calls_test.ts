import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  FUEL_PER_TICK,
  instrument,
  TICK_IMPORT,
} from "../runtime/wasm_instrument.ts";
import { wat } from "./wat.ts";

type Exports = Record<string, (...args: number[]) => number>;

/** Instruments a module and instantiates it with a counting tick. */
async function counted(bytes: Uint8Array<ArrayBuffer>) {
  const output = instrument(bytes, { maxMemoryPages: 1 });
  assert.ok(WebAssembly.validate(output), "instrumented module validates");
  const counter = { ticks: 0 };
  const { instance } = await WebAssembly.instantiate(output, {
    [TICK_IMPORT.module]: {
      [TICK_IMPORT.name]: () => {
        counter.ticks++;
        return FUEL_PER_TICK;
      },
    },
  });
  return { exports: instance.exports as Exports, counter };
}

/**
 * fib recursing through `call_ref`, encoded by hand: wabt writes the
 * instruction without the type index that engines now expect.
 */
function callRefFib(): Uint8Array<ArrayBuffer> {
  const recurse = (minus: number) => [
    ...[0x20, 0x00, 0x41, minus, 0x6b], // n - minus
    ...[0xd2, 0x00, 0x14, 0x00], // ref.func 0, call_ref type 0
  ];
  const body = [
    0x00, // no locals
    ...[0x20, 0x00, 0x41, 0x02, 0x49, 0x04, 0x7f], // if n < 2 (result i32)
    ...[0x20, 0x00, 0x05], // n, else
    ...recurse(1),
    ...recurse(2),
    ...[0x6a, 0x0b, 0x0b], // add, end if, end function
  ];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f], // (i32) -> i32
    ...[0x03, 0x02, 0x01, 0x00], // one function of that type
    ...[0x07, 0x07, 0x01, 0x03, 0x66, 0x69, 0x62, 0x00, 0x00], // export fib
    ...[0x09, 0x05, 0x01, 0x03, 0x00, 0x01, 0x00], // elem declare func 0
    ...[0x0a, body.length + 2, 0x01, body.length, ...body],
  ]);
}

/** Entries into a naive fib(n): one per call, 2 * fib(n + 1) - 1. */
function fibEntries(n: number): number {
  let [previous, current] = [0, 1];
  for (let index = 0; index < n + 1; index++) {
    [previous, current] = [current, previous + current];
  }
  return 2 * previous - 1;
}

const FIB_BODY = (recurse: (argument: string) => string) => `
  (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
    (then (local.get $n))
    (else (i32.add
      ${recurse("(i32.sub (local.get $n) (i32.const 1))")}
      ${recurse("(i32.sub (local.get $n) (i32.const 2))")})))`;

const s = suite("instrument calls");

s("spends fuel on every entry into a function that calls", async () => {
  const { exports, counter } = await counted(
    await wat(`(module
      (func $fib (export "fib") (param $n i32) (result i32)
        ${FIB_BODY((argument) => `(call $fib ${argument})`)}))`),
  );
  assert.is(exports.fib(25), 75025);
  assert.is(counter.ticks, Math.floor(fibEntries(25) / FUEL_PER_TICK));
  assert.is(counter.ticks, 24);
});

s("spends fuel through mutual and indirect recursion", async () => {
  const direct = (callee: string) => (argument: string) =>
    `(call ${callee} ${argument})`;
  const indirect = (argument: string) =>
    `(call_indirect (type $unary) ${argument} (i32.const 0))`;
  const modules: [string, Uint8Array<ArrayBuffer>][] = [
    [
      "mutual",
      await wat(`(module
        (func $fib (export "fib") (param $n i32) (result i32)
          ${FIB_BODY(direct("$other"))})
        (func $other (param $n i32) (result i32)
          ${FIB_BODY(direct("$fib"))}))`),
    ],
    [
      "call_indirect",
      await wat(`(module
        (type $unary (func (param i32) (result i32)))
        (table 1 funcref)
        (elem (i32.const 0) $fib)
        (func $fib (export "fib") (param $n i32) (result i32)
          ${FIB_BODY(indirect)}))`),
    ],
    ["call_ref", callRefFib()],
  ];
  for (const [name, bytes] of modules) {
    assert.ok(WebAssembly.validate(bytes), `${name} validates`);
    const { exports, counter } = await counted(bytes);
    assert.is(exports.fib(22), 17711, name);
    const expected = Math.floor(fibEntries(22) / FUEL_PER_TICK);
    assert.is(counter.ticks, expected, `${name}: ticks`);
  }
});

s("lets functions that call nothing run without the check", async () => {
  const { exports, counter } = await counted(
    await wat(`(module
      (func (export "double") (param i32) (result i32)
        (i32.add (local.get 0) (local.get 0))))`),
  );
  for (let call = 0; call < 3 * FUEL_PER_TICK; call++) exports.double(call);
  assert.is(counter.ticks, 0);
});

s.run();
