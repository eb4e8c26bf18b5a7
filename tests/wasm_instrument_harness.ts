/** Instrumenting modules in tests: start them, compare, check safety. */
import * as assert from "uvu/assert";
import { loadWabt } from "../deps.ts";
import {
  FUEL_PER_TICK,
  instrument,
  TICK_IMPORT,
} from "../runtime/wasm_instrument.ts";

export type Exports = Record<string, CallableFunction>;
export type Imports = Record<string, Record<string, unknown>>;

/** What JSPI adds to the WebAssembly namespace. */
export const jspi = WebAssembly as unknown as {
  Suspending: new (fn: () => Promise<number>) => unknown;
  promising: (fn: CallableFunction) => (...args: number[]) => Promise<number>;
};

export const options = { maxMemoryPages: 16 };

export async function start(
  bytes: Uint8Array<ArrayBuffer>,
  imports: Imports = {},
  tick: unknown = () => FUEL_PER_TICK,
): Promise<Exports> {
  const { instance } = await WebAssembly.instantiate(bytes, {
    ...imports,
    [TICK_IMPORT.module]: { [TICK_IMPORT.name]: tick },
  } as WebAssembly.Imports);
  return instance.exports as Exports;
}

/** Instruments a module and checks that the result validates. */
export function instrumented(bytes: Uint8Array, pages = 16) {
  const output = instrument(bytes, { maxMemoryPages: pages });
  assert.ok(WebAssembly.validate(output), "instrumented module validates");
  return output;
}

export type Wabt = Awaited<ReturnType<typeof loadWabt>>;

/** Compiles text that needs features tests/wat.ts leaves off. */
export async function watWith(
  source: string,
  features: Record<string, boolean>,
  names = false,
  wabt?: Wabt,
): Promise<Uint8Array<ArrayBuffer>> {
  wabt ??= await loadWabt();
  const module = wabt.parseWat("test.wat", source, features);
  try {
    module.resolveNames();
    const { buffer } = module.toBinary({ write_debug_names: names });
    return new Uint8Array(buffer);
  } finally {
    module.destroy();
  }
}

/** Loads wabt with its own module instrumented on the way. */
export async function loadInstrumentedWabt(): Promise<[Wabt, number]> {
  const instantiate = WebAssembly.instantiate;
  let size = 0;
  const tick = () => FUEL_PER_TICK;
  WebAssembly.instantiate = ((bytes: ArrayBuffer, imports: Imports) => {
    const output = instrumented(new Uint8Array(bytes), 65536);
    size = output.length;
    return instantiate(output, {
      ...imports,
      [TICK_IMPORT.module]: { [TICK_IMPORT.name]: tick },
    });
  }) as typeof WebAssembly.instantiate;
  try {
    return [await loadWabt(), size];
  } finally {
    WebAssembly.instantiate = instantiate;
  }
}

/** Calls the same exports on the original and instrumented module. */
export async function assertSameResults(
  bytes: Uint8Array<ArrayBuffer>,
  calls: [string, ...number[]][],
  imports: () => Imports = () => ({}),
) {
  const before = await start(bytes, imports());
  const after = await start(instrumented(bytes), imports());
  for (const [name, ...args] of calls) {
    assert.equal(after[name](...args), before[name](...args), name);
  }
}

export const COUNTER = `(module
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "forever") (loop $again (br $again))))`;

/**
 * A module is either refused with a SyntaxError (and is then invalid) or
 * instrumented, into a valid module when it was valid.
 */
export function assertSafe(bytes: Uint8Array, what: string) {
  const valid = WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>);
  let output: Uint8Array<ArrayBuffer>;
  try {
    output = instrument(bytes, options);
  } catch (error) {
    assert.instance(error, SyntaxError, `${what}: ${error}`);
    assert.not.ok(valid, `${what} is valid but was refused: ${error}`);
    return;
  }
  if (valid) assert.ok(WebAssembly.validate(output), `${what} output`);
}

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}
