/**
 * The immediates of every WebAssembly instruction the host accepts: the MVP,
 * sign extension, saturating truncation, bulk memory, reference types,
 * multi-value, SIMD (with relaxed SIMD), exception handling (legacy and
 * `try_table`), tail calls, typed function references and threads. Enough
 * to walk a function body without understanding it.
 *
 * @module
 */

import type { WasmReader } from "./wasm_reader.ts";

/** What an instruction means to a walker that rewrites bodies. */
export enum Role {
  /** Nothing to track. */
  Plain,
  /** Opens a block that an `end` closes: block, if, try, try_table. */
  Open,
  /** Opens a loop. */
  Loop,
  /** Closes a block: end, or delegate ending a try. */
  Close,
  /** One byte of opcode followed by a function index: call, ref.func. */
  FunctionIndex,
}

enum Immediate {
  Unknown,
  None,
  BlockType,
  U32,
  TwoU32,
  BranchTable,
  MemArg,
  Int32,
  Int64,
  Bytes4,
  Bytes8,
  HeapType,
  ValueTypes,
  TryTable,
  PrefixFC,
  PrefixFD,
  PrefixFE,
  PrefixFB,
}

const immediates = new Uint8Array(256);
const roles = new Uint8Array(256);

function define(from: number, to: number, immediate: Immediate, role = 0) {
  for (let code = from; code <= to; code++) {
    immediates[code] = immediate;
    roles[code] = role;
  }
}

define(0x00, 0x01, Immediate.None); // unreachable, nop
define(0x02, 0x02, Immediate.BlockType, Role.Open); // block
define(0x03, 0x03, Immediate.BlockType, Role.Loop); // loop
define(0x04, 0x04, Immediate.BlockType, Role.Open); // if
define(0x05, 0x05, Immediate.None); // else
define(0x06, 0x06, Immediate.BlockType, Role.Open); // try
define(0x07, 0x09, Immediate.U32); // catch, throw, rethrow
define(0x0a, 0x0a, Immediate.None); // throw_ref
define(0x0b, 0x0b, Immediate.None, Role.Close); // end
define(0x0c, 0x0d, Immediate.U32); // br, br_if
define(0x0e, 0x0e, Immediate.BranchTable);
define(0x0f, 0x0f, Immediate.None); // return
define(0x10, 0x10, Immediate.U32, Role.FunctionIndex); // call
define(0x11, 0x11, Immediate.TwoU32); // call_indirect
define(0x12, 0x12, Immediate.U32, Role.FunctionIndex); // return_call
define(0x13, 0x13, Immediate.TwoU32); // return_call_indirect
define(0x14, 0x15, Immediate.U32); // call_ref, return_call_ref
define(0x18, 0x18, Immediate.U32, Role.Close); // delegate
define(0x19, 0x19, Immediate.None); // catch_all
define(0x1a, 0x1b, Immediate.None); // drop, select
define(0x1c, 0x1c, Immediate.ValueTypes); // select t*
define(0x1f, 0x1f, Immediate.TryTable, Role.Open);
define(0x20, 0x26, Immediate.U32); // locals, globals, table.get/set
define(0x28, 0x3e, Immediate.MemArg); // loads and stores
define(0x3f, 0x40, Immediate.U32); // memory.size, memory.grow
define(0x41, 0x41, Immediate.Int32);
define(0x42, 0x42, Immediate.Int64);
define(0x43, 0x43, Immediate.Bytes4);
define(0x44, 0x44, Immediate.Bytes8);
define(0x45, 0xc4, Immediate.None); // numeric and sign extension
define(0xd0, 0xd0, Immediate.HeapType); // ref.null
define(0xd1, 0xd1, Immediate.None); // ref.is_null
define(0xd2, 0xd2, Immediate.U32, Role.FunctionIndex); // ref.func
define(0xd4, 0xd4, Immediate.None); // ref.as_non_null
define(0xd5, 0xd6, Immediate.U32); // br_on_null, br_on_non_null
define(0xfb, 0xfb, Immediate.PrefixFB); // garbage collection: unsupported
define(0xfc, 0xfc, Immediate.PrefixFC);
define(0xfd, 0xfd, Immediate.PrefixFD);
define(0xfe, 0xfe, Immediate.PrefixFE);

/** SIMD opcodes (after 0xfd) that do not exist. */
const SIMD_GAPS = new Set(
  "9a a2 a5 a6 af b0 b2 b3 b4 bb c2 c5 c6 cf d0 d2 d3 d4 e2 ee"
    .split(" ").map((code) => parseInt(code, 16)),
);
const LAST_SIMD = 0x113; // the last relaxed SIMD instruction

/**
 * Whether an opcode calls a function: `call`, `call_indirect`, `call_ref`
 * and their tail-call forms (0x10 to 0x15). Recursion needs one of them.
 */
export function isCall(opcode: number): boolean {
  return opcode >= 0x10 && opcode <= 0x15;
}

/**
 * Reads one instruction and its immediates, leaving the reader after it.
 * `where` names the function for the error on an unknown opcode.
 */
export function readInstruction(reader: WasmReader, where: string): Role {
  const opcode = reader.byte();
  switch (immediates[opcode]) {
    case Immediate.None:
      break;
    case Immediate.BlockType:
      readBlockType(reader);
      break;
    case Immediate.U32:
      reader.u32();
      break;
    case Immediate.TwoU32:
      reader.u32();
      reader.u32();
      break;
    case Immediate.BranchTable:
      for (let count = reader.u32(); count > 0; count--) reader.u32();
      reader.u32();
      break;
    case Immediate.MemArg:
      readMemArg(reader);
      break;
    case Immediate.Int32:
      reader.skipLeb(5);
      break;
    case Immediate.Int64:
      reader.skipLeb(10);
      break;
    case Immediate.Bytes4:
      reader.skip(4);
      break;
    case Immediate.Bytes8:
      reader.skip(8);
      break;
    case Immediate.HeapType:
      reader.skipLeb(5);
      break;
    case Immediate.ValueTypes:
      for (let count = reader.u32(); count > 0; count--) {
        reader.skipValueType();
      }
      break;
    case Immediate.TryTable:
      readTryTable(reader);
      break;
    case Immediate.PrefixFC:
      readMiscellaneous(reader, where);
      break;
    case Immediate.PrefixFD:
      readSimd(reader, where);
      break;
    case Immediate.PrefixFE:
      readAtomic(reader, where);
      break;
    case Immediate.PrefixFB:
      unknown(opcode, reader.u32(), where);
      break;
    default:
      unknown(opcode, undefined, where);
  }
  return roles[opcode];
}

/** Empty (0x40), one value type, or a type index as a signed LEB (s33). */
function readBlockType(reader: WasmReader): void {
  const first = reader.peek();
  if (first >= 0x40 && first < 0x80) reader.skipValueType();
  else reader.skipLeb(5);
}

/** Alignment (with bit 6 announcing a memory index) and offset. */
function readMemArg(reader: WasmReader): void {
  const align = reader.u32();
  if (align & 0x40) reader.u32();
  reader.skipLeb(10);
}

function readTryTable(reader: WasmReader): void {
  readBlockType(reader);
  for (let count = reader.u32(); count > 0; count--) {
    const kind = reader.byte();
    if (kind > 0x03) reader.fail(`unknown catch clause 0x${hex(kind)}`);
    if (kind < 0x02) reader.u32(); // the tag of catch and catch_ref
    reader.u32(); // the label
  }
}

function readMiscellaneous(reader: WasmReader, where: string): void {
  const code = reader.u32();
  if (code <= 0x07) return; // saturating truncation
  if (code === 0x08 || code === 0x0a || code === 0x0c || code === 0x0e) {
    reader.u32(); // memory.init, memory.copy, table.init, table.copy
    reader.u32();
  } else if (code <= 0x11) reader.u32();
  else unknown(0xfc, code, where);
}

function readSimd(reader: WasmReader, where: string): void {
  const code = reader.u32();
  if (code <= 0x0b || code === 0x5c || code === 0x5d) readMemArg(reader);
  else if (code === 0x0c || code === 0x0d) reader.skip(16);
  else if (code >= 0x15 && code <= 0x22) reader.skip(1);
  else if (code >= 0x54 && code <= 0x5b) {
    readMemArg(reader);
    reader.skip(1);
  } else if (code > LAST_SIMD || SIMD_GAPS.has(code)) {
    unknown(0xfd, code, where);
  }
}

function readAtomic(reader: WasmReader, where: string): void {
  const code = reader.u32();
  if (code === 0x03) {
    if (reader.byte() !== 0) reader.fail("atomic.fence needs a zero byte");
  } else if (code <= 0x02 || (code >= 0x10 && code <= 0x4e)) {
    readMemArg(reader);
  } else unknown(0xfe, code, where);
}

function unknown(
  opcode: number,
  code: number | undefined,
  where: string,
): never {
  const name = code === undefined
    ? `0x${hex(opcode)}`
    : `0x${hex(opcode)} 0x${hex(code)}`;
  throw new SyntaxError(
    `Cannot instrument module: unknown instruction ${name} in ${where}`,
  );
}

function hex(value: number): string {
  return value.toString(16).padStart(2, "0");
}
