import { suite } from "uvu";
import * as assert from "uvu/assert";
import { instrument } from "../runtime/wasm_instrument.ts";
import { readSections, withCustomSection } from "../runtime/wasm_sections.ts";
import {
  assertSameResults,
  COUNTER,
  instrumented,
  loadInstrumentedWabt,
  options,
  start,
  utf8,
  watWith,
} from "./wasm_instrument_harness.ts";
import { wat } from "./wat.ts";

const s = suite("instrument: modules");

s("keeps calls, tables, exports, start and ref.func working", async () => {
  const bytes = await wat(`(module
    (type $binary (func (param i32 i32) (result i32)))
    (import "env" "add" (func $add (type $binary)))
    (import "env" "record" (func $record (param i32)))
    (table $t 8 funcref)
    (elem (table $t) (i32.const 0) func $mul $sub $viaImport)
    (elem $later funcref (ref.func $sub) (ref.func $mul))
    (elem declare func $square)
    (global $started (mut i32) (i32.const 0))
    (global $minus funcref (ref.func $sub))
    (func $mul (type $binary) (i32.mul (local.get 0) (local.get 1)))
    (func $sub (type $binary) (i32.sub (local.get 0) (local.get 1)))
    (func $viaImport (type $binary) (call $add (local.get 0) (local.get 1)))
    (func $square (type $binary) (i32.mul (local.get 0) (local.get 0)))
    (func $init
      (global.set $started (i32.const 42))
      (call $record (i32.const 7)))
    (start $init)
    (func (export "apply") (param i32 i32 i32) (result i32)
      (call_indirect $t (type $binary)
        (local.get 1) (local.get 2) (local.get 0)))
    (func (export "started") (result i32) (global.get $started))
    (func (export "viaRefFunc") (param i32 i32) (result i32)
      (table.set $t (i32.const 4) (ref.func $square))
      (call_indirect $t (type $binary)
        (local.get 0) (local.get 1) (i32.const 4)))
    (func (export "viaGlobal") (param i32 i32) (result i32)
      (table.set $t (i32.const 5) (global.get $minus))
      (call_indirect $t (type $binary)
        (local.get 0) (local.get 1) (i32.const 5)))
    (func (export "viaPassive") (param i32 i32) (result i32)
      (table.init $t $later (i32.const 6) (i32.const 0) (i32.const 2))
      (call_indirect $t (type $binary)
        (local.get 0) (local.get 1) (i32.const 7)))
    (func (export "tail") (param i32 i32) (result i32)
      (return_call $sub (local.get 0) (local.get 1)))
    (func (export "tailIndirect") (param i32 i32) (result i32)
      (return_call_indirect $t (type $binary)
        (local.get 0) (local.get 1) (i32.const 2)))
    (func (export "sumTo") (param $n i32) (result i32) (local $sum i32)
      (loop $next
        (local.set $sum (call $viaImport (local.get $sum) (local.get $n)))
        (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $sum))
    (export "addDirect" (func $add)))`);
  const records: number[] = [];
  const imports = () => ({
    env: {
      add: (a: number, b: number) => a + b,
      record: (value: number) => records.push(value),
    },
  });
  await assertSameResults(bytes, [
    ["apply", 0, 6, 7],
    ["apply", 1, 6, 7],
    ["apply", 2, 6, 7],
    ["started"],
    ["viaRefFunc", 9, 0],
    ["viaGlobal", 9, 4],
    ["viaPassive", 9, 4],
    ["tail", 10, 3],
    ["tailIndirect", 10, 3],
    ["sumTo", 25_000],
    ["addDirect", 2, 3],
  ], imports);
  assert.equal(records, [7, 7]);
});

s("keeps a large compiled program working: wabt itself", async () => {
  const [wabt, size] = await loadInstrumentedWabt();
  assert.ok(size > 500_000, `wabt's module was instrumented (${size} bytes)`);
  const source = COUNTER.replace("(module", '(module (memory 2) (data "x")');
  assert.equal(
    await watWith(source, {}, true, wabt),
    await watWith(source, {}, true),
  );
});

s("keeps function names in stack traces right", async () => {
  const bytes = await watWith(
    `(module
      (import "env" "f" (func $imported))
      (func $outer (export "outer") (call $middle))
      (func $middle (call $failing))
      (func $failing unreachable))`,
    {},
    true,
  );
  const guest = await start(instrumented(bytes), { env: { f() {} } });
  const error = (() => {
    try {
      guest.outer();
    } catch (error) {
      return error as Error;
    }
  })();
  const frames = error?.stack?.split("\n").slice(1, 4).join("\n") ?? "";
  assert.match(frames, /failing[^\n]*\n[^\n]*middle[^\n]*\n[^\n]*outer/);
});

s("drops a malformed name section, as engines ignore it", async () => {
  const broken = withCustomSection(
    await wat(COUNTER),
    "name",
    Uint8Array.of(0x01, 0x05, 0xff),
  );
  const names = readSections(instrumented(broken)).map((part) => part.name);
  assert.not.ok(names.includes("name"));
});

s("caps memory growth at the ceiling", async () => {
  const grow = `(func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))`;
  const open = await wat(`(module (memory (export "memory") 1) ${grow})`);
  const guest = await start(instrumented(open, 4));
  assert.is(guest.grow(3), 1);
  assert.is(guest.grow(1), -1);
  const memory = guest.memory as unknown as WebAssembly.Memory;
  assert.is(memory.buffer.byteLength, 4 * 65536);
  assert.throws(() => memory.grow(1), RangeError);

  const bounded = await wat(`(module (memory 1 3) ${grow})`);
  const smaller = await start(instrumented(bounded, 4));
  assert.is(smaller.grow(2), 1);
  assert.is(smaller.grow(1), -1, "a lower declared maximum stays");
});

s("keeps a shared memory shared", async () => {
  const bytes = await watWith(
    `(module (memory (export "memory") 1 100 shared)
      (func (export "add") (result i32)
        (atomic.fence)
        (drop (memory.atomic.notify (i32.const 0) (i32.const 0)))
        (i32.atomic.rmw.add (i32.const 0) (i32.const 5))))`,
    { threads: true },
  );
  const guest = await start(instrumented(bytes, 4));
  const memory = guest.memory as unknown as WebAssembly.Memory;
  assert.instance(memory.buffer, SharedArrayBuffer);
  assert.is(guest.add(), 0);
  assert.is(guest.add(), 5);
  assert.throws(() => memory.grow(4), RangeError);
});

s("refuses a memory above the ceiling at start", async () => {
  const bytes = await wat(`(module (memory 5))`);
  assert.throws(
    () => instrument(bytes, { maxMemoryPages: 4 }),
    (error: Error) =>
      error instanceof RangeError &&
      error.message ===
        "Cannot load module: memory needs 5 pages at start, " +
          "above the ceiling of 4 pages",
  );
});

s("refuses a 64-bit memory", () => {
  const memory64 = Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x05, 0x03, 0x01, 0x04, 0x01],
  ]);
  assert.throws(() => instrument(memory64, options), /64-bit/);
});

s("leaves imported memories alone", async () => {
  const bytes = await wat(`(module
    (import "env" "memory" (memory 100))
    (func (export "size") (result i32) (memory.size)))`);
  const memory = new WebAssembly.Memory({ initial: 100 });
  const guest = await start(instrumented(bytes, 4), { env: { memory } });
  assert.is(guest.size(), 100);
});

s("keeps custom sections byte-identical and in place", async () => {
  const plain = await wat(COUNTER);
  const sections = readSections(plain);
  const marker = Uint8Array.from([0x00, 0x05, 0x03, ...utf8("mid"), 0x2a]);
  const typeEnd = sections[0].end;
  const spliced = Uint8Array.from([
    ...plain.subarray(0, typeEnd),
    ...marker,
    ...plain.subarray(typeEnd),
  ]);
  const claims = utf8("eyJhbGciOiJFZDI1NTE5In0.e30.c2ln");
  const signed = withCustomSection(spliced, "jwt", claims);

  const output = instrumented(signed);
  const after = readSections(output);
  const jwt = after.at(-1)!;
  assert.is(jwt.name, "jwt");
  assert.equal(output.subarray(jwt.start), signed.subarray(spliced.length));
  assert.equal(after.map((section) => section.name ?? section.id), [
    1,
    "mid",
    2,
    3,
    6,
    7,
    10,
    "jwt",
  ]);
  const mid = after[1];
  assert.equal(output.subarray(mid.start, mid.end), marker);
});

s("instruments SIMD code", async () => {
  const bytes = await wat(`(module
    (memory 1)
    (data (i32.const 0) "\\01\\02\\03\\04\\05\\06\\07\\08")
    (data (i32.const 8) "\\09\\0a\\0b\\0c\\0d\\0e\\0f\\10")
    (func (export "simd") (param $rounds i32) (result i32) (local $v v128)
      (local.set $v (v128.load offset=0 align=16 (i32.const 0)))
      (loop $again
        (local.set $v (i8x16.add (local.get $v)
          (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0
            (local.get $v) (v128.const i32x4 1 2 3 4))))
        (local.set $v (v128.load8_lane 3 (i32.const 5) (local.get $v)))
        (v128.store32_lane 1 (i32.const 32) (local.get $v))
        (local.set $v (i32x4.replace_lane 2 (local.get $v)
          (i32x4.extract_lane 1 (local.get $v))))
        (local.set $v
          (f32x4.add (local.get $v) (v128.load32_zero (i32.const 8))))
        (br_if $again
          (local.tee $rounds (i32.sub (local.get $rounds) (i32.const 1)))))
      (i32.add (i8x16.extract_lane_u 0 (local.get $v))
        (i32.add (i32.load (i32.const 32)) (i8x16.bitmask (local.get $v))))))`);
  await assertSameResults(bytes, [["simd", 50]]);
});

s("instruments bulk memory and table code", async () => {
  const bytes = await wat(`(module
    (memory 1)
    (table $t 2 funcref)
    (data $greeting "hello")
    (elem $fns func $one)
    (func $one (result i32) (i32.const 1))
    (func (export "bulk") (result i32)
      (memory.init $greeting (i32.const 10) (i32.const 0) (i32.const 5))
      (data.drop $greeting)
      (memory.copy (i32.const 20) (i32.const 10) (i32.const 5))
      (memory.fill (i32.const 25) (i32.const 33) (i32.const 2))
      (table.init $t $fns (i32.const 1) (i32.const 0) (i32.const 1))
      (elem.drop $fns)
      (table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 1))
      (drop (table.grow $t (ref.null func) (i32.const 2)))
      (table.fill $t (i32.const 2) (ref.func $one) (i32.const 2))
      (i32.add
        (i32.add (i32.load (i32.const 22)) (table.size $t))
        (i32.add (i32.trunc_sat_f32_s (f32.const 1e10))
          (ref.is_null (table.get $t (i32.const 3)))))))`);
  await assertSameResults(bytes, [["bulk"]]);
});

s("instruments exception handling", async () => {
  const countdown = `(loop $again
    (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))`;
  const legacy = await wat(`(module
    (tag $oops (param i32))
    (func $thrower (param i32) (throw $oops (local.get 0)))
    (func (export "run") (param $n i32) (result i32)
      (try (result i32)
        (do
          ${countdown}
          (try (do (call $thrower (i32.const 9))) (delegate 0))
          (i32.const 0))
        (catch $oops (i32.add (i32.const 100)))
        (catch_all (i32.const -1)))))`);
  const modern = await wat(`(module
    (tag $oops (param i32))
    (func $thrower (param i32) (throw $oops (local.get 0)))
    (func (export "run") (param $n i32) (result i32)
      (block $caught (result i32)
        (try_table (catch $oops $caught)
          ${countdown}
          (call $thrower (i32.const 5)))
        (i32.const 0)))
    (func (export "rethrow") (param $n i32) (result i32)
      (block $outer (result i32)
        (try_table (catch $oops $outer)
          (block $inner (result exnref)
            (try_table (catch_all_ref $inner) ${countdown}
              (call $thrower (i32.const 7)))
            (return (i32.const 0)))
          (throw_ref))
        (i32.const 0))))`);
  await assertSameResults(legacy, [["run", 5]]);
  await assertSameResults(modern, [["run", 5], ["rethrow", 3]]);
});

s.run();
