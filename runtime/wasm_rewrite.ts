/**
 * Section rewriters for instrumentation: they renumber every reference to a
 * defined function after one import was added, and put the fuel check at
 * the top of every loop and at the entry of every function that calls
 * another. Whatever they do not change they copy byte for byte.
 *
 * @module
 */

import { ByteSink, type WasmReader } from "./wasm_reader.ts";
import { isCall, readInstruction, Role } from "./wasm_opcodes.ts";

/** What the rewriters need to know about the instrumented module. */
export interface RewriteContext {
  /** Imported functions before the added one; defined ones shift by one. */
  importedFunctions: number;
  /** The bytes inserted at the top of every loop and calling function. */
  fuelCheck: Uint8Array;
}

/** The index of a function once the added import precedes defined ones. */
export function shiftFunction(index: number, context: RewriteContext): number {
  return index < context.importedFunctions ? index : index + 1;
}

/**
 * Copies instructions up to the `end` that closes the expression, putting
 * the fuel check at the top of every loop and renumbering function indices.
 * Returns whether the expression calls a function (tail calls included).
 * `where` names the expression in errors ("function 12").
 */
export function rewriteExpression(
  reader: WasmReader,
  out: ByteSink,
  context: RewriteContext,
  where: string,
): boolean {
  const bytes = reader.bytes;
  let copied = reader.offset;
  let depth = 0;
  let calls = false;
  while (true) {
    const start = reader.offset;
    if (isCall(bytes[start])) calls = true;
    const role = readInstruction(reader, where);
    if (role === Role.FunctionIndex) {
      reader.offset = start + 1;
      const index = reader.u32();
      out.bytes(bytes.subarray(copied, start + 1));
      out.u32(shiftFunction(index, context));
      copied = reader.offset;
    } else if (role === Role.Loop) {
      out.bytes(bytes.subarray(copied, reader.offset));
      out.bytes(context.fuelCheck);
      copied = reader.offset;
      depth++;
    } else if (role === Role.Open) depth++;
    else if (role === Role.Close && depth-- === 0) break;
  }
  out.bytes(bytes.subarray(copied, reader.offset));
  return calls;
}

/** The code section with every body rewritten and re-sized. */
export function rewriteCode(
  reader: WasmReader,
  context: RewriteContext,
): ByteSink {
  const out = new ByteSink();
  const count = reader.u32();
  out.u32(count);
  for (let index = 0; index < count; index++) {
    const where = `function ${context.importedFunctions + index}`;
    const body = reader.take(reader.u32(), where);
    const rewritten = rewriteBody(body, context, where);
    if (!body.done) body.fail(`${where} has bytes after its end`);
    out.sized(rewritten);
  }
  expectEnd(reader);
  return out;
}

/**
 * One function body. A body that calls a function starts with the fuel
 * check, so recursion, direct or mutual, plain or through tail calls,
 * spends fuel on every round as a loop does: every function on a cycle of
 * calls makes a call. Leaf functions, often the hottest, skip the check:
 * without calls they run straight through their code, and their loops
 * spend fuel anyway.
 */
function rewriteBody(
  body: WasmReader,
  context: RewriteContext,
  where: string,
): ByteSink {
  const out = new ByteSink();
  copy(body, out, () => {
    for (let locals = body.u32(); locals > 0; locals--) {
      body.u32();
      body.skipValueType();
    }
  });
  const instructions = new ByteSink();
  if (rewriteExpression(body, instructions, context, where)) {
    out.bytes(context.fuelCheck);
  }
  out.append(instructions);
  return out;
}

/** The element section, in any of its eight segment forms. */
export function rewriteElements(
  reader: WasmReader,
  context: RewriteContext,
): ByteSink {
  const out = new ByteSink();
  const count = reader.u32();
  out.u32(count);
  for (let index = 0; index < count; index++) {
    const where = `element segment ${index}`;
    const flags = reader.u32();
    if (flags > 7) reader.fail(`unknown ${where} flags ${flags}`);
    out.u32(flags);
    const active = (flags & 0x01) === 0;
    const usesExpressions = (flags & 0x04) !== 0;
    if (active && flags & 0x02) out.u32(reader.u32());
    if (active) rewriteExpression(reader, out, context, `${where} offset`);
    if (flags & 0x03) {
      copy(reader, out, () => {
        if (usesExpressions) reader.skipValueType();
        else reader.byte();
      });
    }
    const entries = reader.u32();
    out.u32(entries);
    for (let entry = 0; entry < entries; entry++) {
      if (usesExpressions) rewriteExpression(reader, out, context, where);
      else out.u32(shiftFunction(reader.u32(), context));
    }
  }
  expectEnd(reader);
  return out;
}

/**
 * The global section (or a new one, when `reader` is undefined) with its
 * initialisers renumbered and one more global, encoded in `appended`.
 */
export function rewriteGlobals(
  reader: WasmReader | undefined,
  context: RewriteContext,
  importedGlobals: number,
  appended: number[],
): ByteSink {
  const out = new ByteSink();
  const count = reader ? reader.u32() : 0;
  out.u32(count + 1);
  for (let index = 0; reader && index < count; index++) {
    copy(reader, out, () => {
      reader.skipValueType();
      reader.byte();
    });
    const where = `global ${importedGlobals + index} initialiser`;
    rewriteExpression(reader, out, context, where);
  }
  if (reader) expectEnd(reader);
  out.push(...appended);
  return out;
}

/** The export section with function exports renumbered. */
export function rewriteExports(
  reader: WasmReader,
  context: RewriteContext,
): ByteSink {
  const out = new ByteSink();
  const count = reader.u32();
  out.u32(count);
  for (let index = 0; index < count; index++) {
    let kind = 0;
    copy(reader, out, () => {
      reader.skipVector();
      kind = reader.byte();
    });
    const target = reader.u32();
    out.u32(kind === 0x00 ? shiftFunction(target, context) : target);
  }
  expectEnd(reader);
  return out;
}

/** The start section renumbered. */
export function rewriteStart(
  reader: WasmReader,
  context: RewriteContext,
): ByteSink {
  const out = new ByteSink();
  out.u32(shiftFunction(reader.u32(), context));
  expectEnd(reader);
  return out;
}

/** The table section; a table may have an initialiser with ref.func. */
export function rewriteTables(
  reader: WasmReader,
  context: RewriteContext,
): ByteSink {
  const out = new ByteSink();
  const count = reader.u32();
  out.u32(count);
  for (let index = 0; index < count; index++) {
    const hasInitialiser = reader.peek() === 0x40;
    copy(reader, out, () => {
      if (hasInitialiser) reader.skip(2);
      reader.skipValueType();
      reader.skipLimits();
    });
    if (hasInitialiser) {
      rewriteExpression(reader, out, context, `table ${index} initialiser`);
    }
  }
  expectEnd(reader);
  return out;
}

/**
 * The payload of the `name` custom section with its function names, local
 * names and label names renumbered; other subsections are copied.
 */
export function rewriteNames(
  reader: WasmReader,
  context: RewriteContext,
): ByteSink {
  const out = new ByteSink();
  copy(reader, out, () => reader.skipVector());
  while (!reader.done) {
    const id = reader.byte();
    const subsection = reader.take(reader.u32(), `name subsection ${id}`);
    if (id < 1 || id > 3) {
      out.push(id);
      out.u32(subsection.end - subsection.offset);
      copy(
        subsection,
        out,
        () => subsection.skip(subsection.end - subsection.offset),
      );
      continue;
    }
    const renamed = new ByteSink();
    const count = subsection.u32();
    renamed.u32(count);
    for (let entry = 0; entry < count; entry++) {
      renamed.u32(shiftFunction(subsection.u32(), context));
      copy(subsection, renamed, () => {
        if (id === 1) subsection.skipVector();
        else skipNameMap(subsection);
      });
    }
    expectEnd(subsection);
    out.push(id);
    out.sized(renamed);
  }
  return out;
}

function skipNameMap(reader: WasmReader): void {
  for (let count = reader.u32(); count > 0; count--) {
    reader.u32();
    reader.skipVector();
  }
}

/** Appends the bytes that `read` consumes, unchanged. */
export function copy(
  reader: WasmReader,
  out: ByteSink,
  read: () => void,
): void {
  const start = reader.offset;
  read();
  out.bytes(reader.bytes.subarray(start, reader.offset));
}

/** Fails when a region has bytes left after its last entry. */
export function expectEnd(reader: WasmReader): void {
  if (!reader.done) reader.fail(`${reader.region} has bytes after its end`);
}
