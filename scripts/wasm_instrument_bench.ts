/**
 * Measures what load-time instrumentation costs: a tight counting loop
 * with and without the fuel check (at several fuel amounts per tick),
 * naive recursion (fib, the worst case for the check at function entry),
 * a real compiled program (wabt parsing a large module, wabt itself
 * instrumented), and the time `instrument()` takes on a generated module
 * of about 100 KB.
 *
 * Run: `deno run -A scripts/wasm_instrument_bench.ts [ITERATIONS]`
 */
import { loadWabt } from "../deps.ts";
import {
  FUEL_PER_TICK,
  instrument,
  TICK_IMPORT,
} from "../runtime/wasm_instrument.ts";

const iterations = Number(Deno.args[0] ?? 100_000_000);
const wabt = await loadWabt();

function compile(source: string): Uint8Array<ArrayBuffer> {
  const module = wabt.parseWat("bench.wat", source, {});
  try {
    module.resolveNames();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

async function countLoop(
  bytes: Uint8Array<ArrayBuffer>,
  tick: () => number,
): Promise<number> {
  const { instance } = await WebAssembly.instantiate(bytes, {
    [TICK_IMPORT.module]: { [TICK_IMPORT.name]: tick },
  });
  const count = instance.exports.count as (n: number) => number;
  count(1_000_000); // let the optimising tier take over
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    if (count(iterations) !== iterations) throw new Error("wrong count");
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const counter = compile(`(module
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $again
      (br_if $again (i32.ne
        (local.tee $i (i32.add (local.get $i) (i32.const 1)))
        (local.get $n))))
    (local.get $i)))`);
const instrumented = instrument(counter, { maxMemoryPages: 1 });

const plain = await countLoop(counter, () => 0);
console.log(`plain loop: ${iterations} iterations in ${plain.toFixed(0)} ms`);
for (const fuel of [1_000, FUEL_PER_TICK, 100_000]) {
  let ticks = 0;
  let clock = 0;
  const ms = await countLoop(instrumented, () => {
    ticks++;
    clock = performance.now(); // what a host tick does at least
    return fuel;
  });
  const ratio = (ms / plain).toFixed(2);
  console.log(
    `fuel ${fuel}: ${ms.toFixed(0)} ms, ${ratio}x, ${ticks} ticks` +
      (clock > 0 ? "" : " (no clock read)"),
  );
}

async function fibCalls(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const { instance } = await WebAssembly.instantiate(bytes, {
    [TICK_IMPORT.module]: { [TICK_IMPORT.name]: () => FUEL_PER_TICK },
  });
  const fib = instance.exports.fib as (n: number) => number;
  fib(25); // let the optimising tier take over
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    fib(35);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const fib = compile(`(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add
        (call $fib (i32.sub (local.get $n) (i32.const 1)))
        (call $fib (i32.sub (local.get $n) (i32.const 2))))))))`);
const fibPlain = await fibCalls(fib);
const fibChecked = await fibCalls(instrument(fib, { maxMemoryPages: 1 }));
const fibCallCount = 29_860_703; // calls made by fib(35)
console.log(
  `fib(35): ${fibPlain.toFixed(0)} ms plain, ${fibChecked.toFixed(0)} ms ` +
    `instrumented, ${(fibChecked / fibPlain).toFixed(2)}x, ` +
    `${((fibChecked - fibPlain) * 1e6 / fibCallCount).toFixed(2)} ns per call`,
);

/** wabt, its own module instrumented on the way when asked. */
async function loadWabtWith(instrumented: boolean) {
  if (!instrumented) return await loadWabt();
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = ((bytes: ArrayBuffer, imports) =>
    instantiate(
      instrument(new Uint8Array(bytes), { maxMemoryPages: 65536 }),
      {
        ...imports,
        [TICK_IMPORT.module]: { [TICK_IMPORT.name]: () => FUEL_PER_TICK },
      },
    )) as typeof WebAssembly.instantiate;
  try {
    return await loadWabt();
  } finally {
    WebAssembly.instantiate = instantiate;
  }
}

async function wabtParseMs(instrumented: boolean): Promise<number> {
  const parser = await loadWabtWith(instrumented);
  const source = `(module ${
    Array.from({ length: 3000 }, (_, index) => `
    (func $f${index} (export "f${index}") (param $n i32) (result i32)
      (local $i i32)
      (loop $again
        (local.set $i (i32.add (local.get $i)
          (call $f${Math.max(0, index - 1)} (i32.const 0))))
        (br_if $again (local.get $n)))
      (local.get $i))`).join("")
  })`;
  const parse = () => {
    const module = parser.parseWat("bench.wat", source, {});
    try {
      module.resolveNames();
      module.validate();
      module.toBinary({});
    } finally {
      module.destroy();
    }
  };
  for (let run = 0; run < 3; run++) parse();
  let best = Infinity;
  for (let run = 0; run < 15; run++) {
    const started = performance.now();
    parse();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const wabtPlain = await wabtParseMs(false);
const wabtChecked = await wabtParseMs(true);
console.log(
  `wabt parsing 3,000 functions: ${wabtPlain.toFixed(1)} ms plain, ` +
    `${wabtChecked.toFixed(1)} ms instrumented, ` +
    `${(wabtChecked / wabtPlain).toFixed(2)}x (best of 15)`,
);

const functions = Array.from({ length: 1800 }, (_, index) => `
  (func $f${index} (export "f${index}") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (loop $again
      (local.set $sum (i32.add (local.get $sum)
        (call $f${Math.max(0, index - 1)} (i32.const 0))))
      (block $skip
        (br_if $skip (i32.eqz (local.get $n)))
        (local.set $sum (i32.mul (local.get $sum) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum))`);
const large = compile(`(module ${functions.join("")})`);
let best = Infinity;
for (let run = 0; run < 10; run++) {
  const started = performance.now();
  instrument(large, { maxMemoryPages: 1 });
  best = Math.min(best, performance.now() - started);
}
console.log(
  `instrument(): ${(large.length / 1024).toFixed(0)} KB module, ` +
    `${functions.length} functions, ${best.toFixed(1)} ms (best of 10)`,
);
