import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FUEL_PER_TICK } from "../runtime/wasm_instrument.ts";
import {
  assertSameResults,
  COUNTER,
  instrumented,
  jspi,
  start,
} from "./wasm_instrument_harness.ts";
import { wat } from "./wat.ts";

const s = suite("instrument: fuel");

s("calls tick once per FUEL_PER_TICK loop iterations", async () => {
  let ticks = 0;
  const guest = await start(instrumented(await wat(COUNTER)), {}, () => {
    ticks++;
    return FUEL_PER_TICK;
  });
  assert.is(guest.count(FUEL_PER_TICK - 1), FUEL_PER_TICK - 1);
  assert.is(ticks, 0);
  assert.is(guest.count(5 * FUEL_PER_TICK + 1), 5 * FUEL_PER_TICK + 1);
  assert.is(ticks, 6, "the fuel left by the first call carries over");
});

s("ends an endless loop when tick throws, and ticks again later", async () => {
  let ticks = 0;
  const guest = await start(instrumented(await wat(COUNTER)), {}, () => {
    if (++ticks % 5 === 0) throw new RangeError("deadline passed");
    return FUEL_PER_TICK;
  });
  assert.throws(() => guest.forever(), /deadline passed/);
  assert.is(ticks, 5);
  assert.throws(() => guest.forever(), /deadline passed/);
  assert.is(ticks, 10);
  assert.is(guest.count(3), 3);
});

s("ticks at once when tick returns no fuel", async () => {
  let ticks = 0;
  const guest = await start(instrumented(await wat(COUNTER)), {}, () => {
    ticks++;
    return 0;
  });
  assert.is(guest.count(FUEL_PER_TICK + 100), FUEL_PER_TICK + 100);
  assert.is(ticks, 101);
});

s("spends fuel on tail calls, which loop without a loop", async () => {
  const bytes = await wat(`(module
    (type $countdown (func (param i32) (result i32)))
    (table 1 funcref)
    (elem (i32.const 0) $indirect)
    (func $direct (export "direct") (param $n i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n))
        (then (i32.const 0))
        (else (return_call $direct (i32.sub (local.get $n) (i32.const 1))))))
    (func $indirect (export "indirect") (param $n i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n))
        (then (i32.const 0))
        (else
          (return_call_indirect (type $countdown)
            (i32.sub (local.get $n) (i32.const 1)) (i32.const 0))))))`);
  let ticks = 0;
  const guest = await start(instrumented(bytes), {}, () => {
    ticks++;
    return FUEL_PER_TICK;
  });
  assert.is(guest.direct(3 * FUEL_PER_TICK), 0);
  assert.is(ticks, 3, "one tick per FUEL_PER_TICK return_call");
  assert.is(guest.indirect(2 * FUEL_PER_TICK), 0);
  assert.is(ticks, 5, "one tick per FUEL_PER_TICK return_call_indirect");
});

s("lets a timer run while the guest spins, through JSPI", async () => {
  const bytes = await wat(`(module
    (memory (export "memory") 1)
    (func (export "spin") (param $n i32) (result i32) (local $i i32)
      (loop $again
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (i32.store (i32.const 0) (local.get $i))
        (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
      (local.get $i)))`);
  const tick = new jspi.Suspending(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    return FUEL_PER_TICK;
  });
  const guest = await start(instrumented(bytes), {}, tick);
  const memory = guest.memory as unknown as WebAssembly.Memory;
  let progressSeenByTimer = -1;
  setTimeout(() => {
    progressSeenByTimer = new Int32Array(memory.buffer)[0];
  }, 0);
  const total = 20 * FUEL_PER_TICK;
  assert.is(await jspi.promising(guest.spin)(total), total);
  assert.ok(progressSeenByTimer > 0, "the timer ran after the guest began");
  assert.ok(progressSeenByTimer < total, "the timer ran before it ended");
});

s("counts every iteration of nested loops", async () => {
  const bytes = await wat(`(module
    (func (export "grid") (param $rows i32) (param $columns i32) (result i32)
      (local $row i32) (local $column i32) (local $cells i32)
      (loop $rows
        (local.set $column (i32.const 0))
        (loop $columns
          (local.set $cells (i32.add (local.get $cells) (i32.const 1)))
          (local.set $column (i32.add (local.get $column) (i32.const 1)))
          (br_if $columns (i32.lt_u (local.get $column) (local.get $columns))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $row) (local.get $rows))))
      (local.get $cells)))`);
  let ticks = 0;
  const guest = await start(instrumented(bytes), {}, () => {
    ticks++;
    return FUEL_PER_TICK;
  });
  assert.is(guest.grid(100, 1000), 100_000);
  assert.is(ticks, Math.floor((100 + 100_000) / FUEL_PER_TICK));
});

s("keeps branches to labels outside a loop working", async () => {
  const bytes = await wat(`(module
    (type $pair (func (param i32) (result i32 i32)))
    (func (export "firstMultiple") (param $of i32) (param $from i32)
      (result i32)
      (block $found (result i32)
        (block $give_up
          (loop $next
            (br_if $give_up (i32.gt_u (local.get $from) (i32.const 1000)))
            (br_if $found (local.get $from)
              (i32.eqz (i32.rem_u (local.get $from) (local.get $of))))
            (local.set $from (i32.add (local.get $from) (i32.const 1)))
            (br $next)))
        (i32.const -1)))
    (func (export "carried") (param $n i32) (result i32)
      (local.get $n)
      (loop $down (type $pair) (param i32) (result i32 i32)
        (i32.sub (i32.const 1))
        (local.tee $n)
        (br_if $down (local.get $n))
        (i32.const 5))
      (i32.add)))`);
  await assertSameResults(bytes, [
    ["firstMultiple", 7, 100],
    ["firstMultiple", 2000, 1],
    ["carried", 30],
  ]);
});

s.run();
