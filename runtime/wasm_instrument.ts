/**
 * Load-time instrumentation of guest modules. Every `loop` iteration and
 * every entry into a function that calls others spends one unit of fuel
 * kept in a new global; when the fuel is gone the guest calls the host
 * import `trellis.tick`, which returns fresh fuel. Through JSPI the host
 * may suspend there (to let other work run) or throw (to end a call past
 * its deadline). The memories the module defines get a maximum no larger
 * than a ceiling.
 *
 * @module
 */

import { readSections, type WasmSection, writeU32 } from "./wasm_sections.ts";
import { ByteSink, WasmReader } from "./wasm_reader.ts";
import { capMemories } from "./wasm_memory_ceiling.ts";
import {
  expectEnd,
  rewriteCode,
  type RewriteContext,
  rewriteElements,
  rewriteExports,
  rewriteGlobals,
  rewriteNames,
  rewriteStart,
  rewriteTables,
} from "./wasm_rewrite.ts";

/** Import added to every instrumented module: () -> i32, returns new fuel. */
export const TICK_IMPORT = { module: "trellis", name: "tick" } as const;

/**
 * Units of fuel (loop iterations, entries into calling functions) between
 * two calls of tick. Measured here: a tick (a call to the host, which
 * reads the clock) costs about 130 ns and an iteration of the tightest
 * instrumented loop about 0.75 ns, so at 10,000 the ticks add under 2% to
 * the tightest loop; and a loop whose body takes a whole microsecond still
 * ticks every 10 ms, the period at which the host wants to yield.
 * `scripts/wasm_instrument_bench.ts` repeats the measurement.
 */
export const FUEL_PER_TICK = 10_000;

/** Limits applied while instrumenting. */
export interface InstrumentOptions {
  /** Ceiling for the maximum of every memory the module defines. */
  maxMemoryPages: number;
}

/** Where the additions sit in the index spaces of the instrumented module. */
interface Plan extends RewriteContext {
  /** Number of types before the tick type, which is appended. */
  types: number;
  /** Number of imported globals. */
  importedGlobals: number;
  /** Number of globals the module defines before the fuel is appended. */
  definedGlobals: number;
  maxMemoryPages: number;
}

const PREFIX = "Cannot instrument module";
const TICK_TYPE = [0x60, 0x00, 0x01, 0x7f]; // func () -> i32

/** The order sections must follow (custom sections, id 0, go anywhere). */
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

/** Sections the instrumentation needs, created when the module lacks them. */
const NEEDED_SECTIONS = [1, 2, 6];

/**
 * Rewrites a module so that loops and functions that call others spend
 * fuel and call `trellis.tick` when it runs out, and caps the memories it
 * defines. Function indices shift by one (the tick import comes after the
 * existing imports) and every reference to them is renumbered, the `name`
 * section included (it is dropped only when it is malformed, as engines
 * ignore it then). Other custom sections are copied byte for byte, in
 * place.
 *
 * Throws a SyntaxError when the module cannot be read or uses an
 * instruction outside the supported features, and a RangeError when its
 * memory is over the ceiling or 64-bit.
 */
export function instrument(
  bytes: Uint8Array,
  options: InstrumentOptions,
): Uint8Array<ArrayBuffer> {
  checkOptions(options);
  const sections = readSections(bytes);
  checkOrder(sections);
  const plan = planAdditions(bytes, sections, options.maxMemoryPages);

  return rewriteModule(bytes, sections, plan);
}

/**
 * Writes the sections in order, each rewritten or copied, adding the ones
 * the instrumentation needs where the module lacks them.
 */
function rewriteModule(
  bytes: Uint8Array,
  sections: WasmSection[],
  plan: Plan,
): Uint8Array<ArrayBuffer> {
  const out = new ByteSink();
  out.bytes(bytes.subarray(0, 8));
  const missing = NEEDED_SECTIONS.filter((id) =>
    !sections.some((section) => section.id === id)
  );
  const addMissingBefore = (position: number) => {
    while (missing.length > 0 && rank(missing[0]) < position) {
      const id = missing.shift()!;
      writeSection(out, id, rewriteSection(id, undefined, plan)!);
    }
  };
  for (const section of sections) {
    if (section.id !== 0) addMissingBefore(rank(section.id));
    const reader = new WasmReader(
      bytes,
      section.payloadStart,
      section.end,
      `section ${section.id}`,
    );
    const payload = section.id === 0
      ? rewriteCustom(reader, section, plan)
      : rewriteSection(section.id, reader, plan);
    if (payload === undefined) {
      out.bytes(bytes.subarray(section.start, section.end));
    } else if (payload !== null) writeSection(out, section.id, payload);
  }
  addMissingBefore(Infinity);
  return out.toBytes();
}

function checkOptions({ maxMemoryPages }: InstrumentOptions): void {
  if (
    !Number.isInteger(maxMemoryPages) || maxMemoryPages < 0 ||
    maxMemoryPages > 65536
  ) {
    throw new RangeError(
      `${PREFIX}: maxMemoryPages must be an integer from 0 to 65536, ` +
        `not "${maxMemoryPages}"`,
    );
  }
}

/** Position of a section id in SECTION_ORDER, from 1; 0 when unknown. */
function rank(id: number): number {
  return SECTION_ORDER.indexOf(id) + 1;
}

function checkOrder(sections: WasmSection[]): void {
  let last = 0;
  for (const section of sections) {
    if (section.id === 0) continue;
    const position = rank(section.id);
    if (position === 0) {
      throw new SyntaxError(`${PREFIX}: unknown section id ${section.id}`);
    }
    if (position <= last) {
      throw new SyntaxError(
        `${PREFIX}: section ${section.id} is repeated or out of order`,
      );
    }
    last = position;
  }
}

/** Counts what the additions are numbered after. */
function planAdditions(
  bytes: Uint8Array,
  sections: WasmSection[],
  maxMemoryPages: number,
): Plan {
  const plan: Plan = {
    types: 0,
    importedFunctions: 0,
    importedGlobals: 0,
    definedGlobals: 0,
    fuelCheck: new Uint8Array(),
    maxMemoryPages,
  };
  for (const section of sections) {
    const reader = new WasmReader(
      bytes,
      section.payloadStart,
      section.end,
      `section ${section.id}`,
    );
    if (section.id === 1) plan.types = countTypes(reader);
    if (section.id === 2) countImports(reader, plan);
    if (section.id === 6) plan.definedGlobals = reader.u32();
  }
  plan.fuelCheck = fuelCheck(
    plan.importedGlobals + plan.definedGlobals,
    plan.importedFunctions,
  );
  return plan;
}

function countTypes(reader: WasmReader): number {
  const count = reader.u32();
  for (let index = 0; index < count; index++) {
    const form = reader.byte();
    if (form !== 0x60) {
      reader.fail(`unsupported type form 0x${form.toString(16)}`);
    }
    for (let list = 0; list < 2; list++) {
      for (let n = reader.u32(); n > 0; n--) reader.skipValueType();
    }
  }
  expectEnd(reader);
  return count;
}

function countImports(reader: WasmReader, plan: Plan): void {
  for (let count = reader.u32(); count > 0; count--) {
    reader.skipVector();
    reader.skipVector();
    const kind = reader.byte();
    if (kind === 0x00) {
      plan.importedFunctions++;
      reader.u32();
    } else if (kind === 0x01) {
      reader.skipValueType();
      reader.skipLimits();
    } else if (kind === 0x02) reader.skipLimits();
    else if (kind === 0x03) {
      plan.importedGlobals++;
      reader.skipValueType();
      reader.byte();
    } else if (kind === 0x04) {
      reader.byte();
      reader.u32();
    } else reader.fail(`unknown import kind 0x${kind.toString(16)}`);
  }
  expectEnd(reader);
}

/**
 * `fuel -= 1; if (fuel <= 0) fuel = tick()`. Testing `<= 0` rather than
 * `== 0` keeps the check working after a tick threw and left the fuel at
 * zero: the next iteration, in this call or a later one, ticks again.
 */
function fuelCheck(fuel: number, tick: number): Uint8Array {
  const global = [...writeU32(fuel)];
  return Uint8Array.from([
    ...[0x23, ...global, 0x41, 0x01, 0x6b, 0x24, ...global], // fuel -= 1
    ...[0x23, ...global, 0x41, 0x00, 0x4c, 0x04, 0x40], // if fuel <= 0
    ...[0x10, ...writeU32(tick), 0x24, ...global, 0x0b], // fuel = tick() end
  ]);
}

/**
 * The new payload of a standard section (or of a missing one, when
 * `reader` is undefined), or undefined to copy it unchanged.
 */
function rewriteSection(
  id: number,
  reader: WasmReader | undefined,
  plan: Plan,
): ByteSink | undefined {
  switch (id) {
    case 1:
      return appendEntry(reader, TICK_TYPE);
    case 2:
      return appendEntry(reader, tickImport(plan.types));
    case 4:
      return reader && rewriteTables(reader, plan);
    case 5:
      return reader && capMemories(reader, plan.maxMemoryPages);
    case 6:
      return rewriteGlobals(reader, plan, plan.importedGlobals, FUEL_GLOBAL);
    case 7:
      return reader && rewriteExports(reader, plan);
    case 8:
      return reader && rewriteStart(reader, plan);
    case 9:
      return reader && rewriteElements(reader, plan);
    case 10:
      return reader && rewriteCode(reader, plan);
    default:
      return undefined;
  }
}

function writeSection(out: ByteSink, id: number, payload: ByteSink): void {
  out.push(id);
  out.sized(payload);
}

/** A vector section with one more entry at its end. */
function appendEntry(
  reader: WasmReader | undefined,
  entry: number[],
): ByteSink {
  const out = new ByteSink();
  const count = reader ? reader.u32() : 0;
  out.u32(count + 1);
  if (reader) out.bytes(reader.bytes.subarray(reader.offset, reader.end));
  out.push(...entry);
  return out;
}

function tickImport(tickType: number): number[] {
  const encoder = new TextEncoder();
  const module = encoder.encode(TICK_IMPORT.module);
  const name = encoder.encode(TICK_IMPORT.name);
  return [
    ...writeU32(module.length),
    ...module,
    ...writeU32(name.length),
    ...name,
    0x00,
    ...writeU32(tickType),
  ];
}

/** `(global (mut i32) (i32.const FUEL_PER_TICK))` */
const FUEL_GLOBAL = [0x7f, 0x01, 0x41, ...signedLeb(FUEL_PER_TICK), 0x0b];

function signedLeb(value: number): number[] {
  const out: number[] = [];
  while (true) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && !(byte & 0x40)) ||
      (value === -1 && (byte & 0x40));
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** The `name` section renumbered; other custom sections stay unchanged. */
function rewriteCustom(
  reader: WasmReader,
  section: WasmSection,
  plan: Plan,
): ByteSink | null | undefined {
  if (section.name !== "name") return undefined;
  try {
    return rewriteNames(reader, plan);
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}
