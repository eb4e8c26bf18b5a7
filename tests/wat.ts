/** Compiles WebAssembly text into a binary for tests. */
import { loadWabt } from "../deps.ts";

let wabt: Awaited<ReturnType<typeof loadWabt>> | undefined;

/** The binary of a module written in WebAssembly text. */
export async function wat(source: string): Promise<Uint8Array<ArrayBuffer>> {
  wabt ??= await loadWabt();
  const module = wabt.parseWat("test.wat", source, {
    bulk_memory: true,
    sign_extension: true,
    mutable_globals: true,
    sat_float_to_int: true,
    multi_value: true,
    reference_types: true,
    simd: true,
    exceptions: true,
    tail_call: true,
  });
  try {
    module.resolveNames();
    module.validate();
    const { buffer } = module.toBinary({});
    return new Uint8Array(buffer);
  } finally {
    module.destroy();
  }
}
