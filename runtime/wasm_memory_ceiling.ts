/**
 * The memory ceiling: every memory a module defines gets a maximum no
 * larger than the host allows, so that `memory.grow` past it fails inside
 * the guest (returns -1) instead of taking the host's memory.
 *
 * @module
 */

import { ByteSink, type WasmReader } from "./wasm_reader.ts";

const HAS_MAXIMUM = 0x01;
const SHARED = 0x02;
const MEMORY64 = 0x04;

/**
 * The memory section with each maximum set to at most `ceiling` pages (and
 * added where there was none). Throws a RangeError when a memory needs more
 * pages at start than the ceiling, or is 64-bit.
 */
export function capMemories(reader: WasmReader, ceiling: number): ByteSink {
  const out = new ByteSink();
  const count = reader.u32();
  out.u32(count);
  for (let index = 0; index < count; index++) {
    const flags = reader.byte();
    if (flags & MEMORY64) {
      throw new RangeError(
        `Cannot load module: memory ${index} is 64-bit, which is not supported`,
      );
    }
    if (flags & ~(HAS_MAXIMUM | SHARED)) {
      reader.fail(`unknown memory flags 0x${flags.toString(16)}`);
    }
    const minimum = reader.u32();
    const maximum = flags & HAS_MAXIMUM ? reader.u32() : ceiling;
    if (minimum > ceiling) {
      throw new RangeError(
        `Cannot load module: memory needs ${minimum} pages at start, ` +
          `above the ceiling of ${ceiling} pages`,
      );
    }
    out.push(flags | HAS_MAXIMUM);
    out.u32(minimum);
    out.u32(Math.min(maximum, ceiling));
  }
  if (!reader.done) reader.fail("memory section has bytes after its end");
  return out;
}
