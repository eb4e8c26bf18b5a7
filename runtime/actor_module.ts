/**
 * Turning a verified module into one the host can run: instrumented for
 * fuel and capped in memory, compiled, and checked for its imports and
 * waPC exports.
 *
 * @module
 */
import { instrument } from "./wasm_instrument.ts";
import { checkImports } from "./wapc_instance.ts";

const PAGE_BYTES = 65536;

/** Instruments and compiles a guest module under a memory ceiling. */
export async function compileActorModule(
  bytes: Uint8Array,
  maxMemoryBytes: number,
): Promise<WebAssembly.Module> {
  const maxMemoryPages = Math.floor(maxMemoryBytes / PAGE_BYTES);
  const module = await WebAssembly.compile(
    instrument(bytes, { maxMemoryPages }),
  );
  checkImports(module);
  return module;
}
